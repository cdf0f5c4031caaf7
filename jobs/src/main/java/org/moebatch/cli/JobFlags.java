package org.moebatch.cli;

import picocli.CommandLine.Mixin;

/** What every job command takes besides its own options: the engine, tools, Spark and the report's costs. */
final class JobFlags {
    @Mixin
    EngineFlags engine = new EngineFlags();

    @Mixin
    ToolFlags tools = new ToolFlags();

    @Mixin
    SparkFlags spark = new SparkFlags();

    @Mixin
    ReportOptions report = new ReportOptions();
}
