package org.moebatch.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code moe-batch}: the command line. Each job is a subcommand; the logic lives in plain classes. */
@Command(name = "moe-batch",
        mixinStandardHelpOptions = true,
        version = "moe-batch 0.1.0",
        description = "Batch inference of Mixture-of-Experts language models (Kimi K2, DeepSeek-V3) on Apache Spark.",
        subcommands = {GenerateCommand.class, EvalCommand.class, EvalCompareCommand.class, DatagenCommand.class,
            ShowCommand.class, RenderCommand.class, LogitsCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code: 0 done, 1 failed, 2 bad usage. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new java.io.PrintWriter(System.out, true));
        cli.setErr(new java.io.PrintWriter(System.err, true));
        // A failure is one clear line on stderr, not a stack trace: the message says what and where.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getCommandName() + ": " + describe(e));
            return 1;
        });
        return cli.execute(args);
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return message;
    }
}
