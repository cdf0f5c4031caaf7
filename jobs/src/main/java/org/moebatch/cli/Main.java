package org.moebatch.cli;

import org.moebatch.jobs.Interrupt;
import org.moebatch.jobs.SparkSessions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code moe-batch}: the command line. Each job is a subcommand; the logic lives in plain classes. */
@Command(name = "moe-batch",
        mixinStandardHelpOptions = true,
        version = "moe-batch 0.1.0",
        description = "Batch inference of Mixture-of-Experts language models (Kimi K2, DeepSeek-V3, Qwen3-MoE, Mixtral, "
                + "OLMoE) on Apache Spark.",
        subcommands = {GenerateCommand.class, EvalCommand.class, EvalCompareCommand.class, DatagenCommand.class,
            ShowCommand.class, RenderCommand.class, LogitsCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit codes: the job ran; it failed while running; it never started (a bad option, file or checkpoint). */
    static final int DONE = 0;
    static final int FAILED = 1;
    static final int BAD_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "On failure, print the whole stack trace to stderr, not only the one-line cause.")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    public static void main(String[] args) {
        if (java.util.Arrays.asList(args).contains("--verbose")) {
            // read by log4j2.properties when logging starts, which is after this
            System.setProperty("moe.stacktraces", "full");
            System.setProperty("moe.tasks.level", "warn");
        }
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code: 0 done, 1 failed, 2 bad usage. */
    public static int run(String... args) {
        Main main = new Main();
        long sessionsBefore = SparkSessions.created();
        CommandLine cli = new CommandLine(main);
        cli.setOut(new java.io.PrintWriter(System.out, true));
        cli.setErr(new java.io.PrintWriter(System.err, true));
        // A bad option is one line naming it, not the usage page.
        cli.setParameterExceptionHandler((e, arguments) -> {
            CommandLine command = e.getCommandLine();
            command.getErr().println(name(command) + ": " + e.getMessage() + " (see " + name(command) + " --help)");
            return BAD_USAGE;
        });
        // A failure is one clear line on stderr, not a stack trace: the message says what and where.
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            if (Interrupt.happened()) {
                return FAILED; // the interrupt already said what happened, in one line
            }
            if (main.verbose) {
                e.printStackTrace(command.getErr());
            }
            command.getErr().println(name(command) + ": " + Failures.describe(e));
            // a configuration that does not hold together, found before any Spark work: a bad job, not a failed one
            boolean beforeSpark = e instanceof IllegalArgumentException && SparkSessions.created() == sessionsBefore;
            return e instanceof BadUsage || beforeSpark ? BAD_USAGE : FAILED;
        });
        return cli.execute(args);
    }

    private static String name(CommandLine command) {
        return command.getCommandSpec().qualifiedName();
    }
}
