package org.moebatch.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.moebatch.report.CostModel;
import picocli.CommandLine.Option;

/** The report's cost-ledger options, shared by every job command. */
final class ReportOptions {
    @Option(names = "--cost", paramLabel = "KEY=VALUE",
            description = "Override a cost-ledger number of conf/costs.properties, e.g. electricity_usd_per_kwh=0.30 (repeatable).")
    Map<String, String> cost = new LinkedHashMap<>();

    @Option(names = "--cost-file", paramLabel = "FILE", description = "Cost-ledger settings replacing conf/costs.properties.")
    Path costFile;

    CostModel costs() throws IOException {
        return CostModel.load(costFile, cost);
    }
}
