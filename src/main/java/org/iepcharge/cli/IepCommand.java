package org.iepcharge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one entry point of the jar: {@code java -jar target/iep-charge-router.jar <command>}. */
@Command(name = "iep-charge-router", mixinStandardHelpOptions = true, version = "iep-charge-router 0.1.0",
        description = "HL7 v2 charge capture for serum immunoelectrophoresis (CPT 86320).",
        subcommands = {RunCommand.class, SendCommand.class, ReceiveCommand.class, OutboxCommand.class,
                HoldsCommand.class, ExplainCommand.class, PruneCommand.class, BenchCommand.class})
public final class IepCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int exit = execute(args);
        // Logging is asynchronous (logback.xml): flush what is queued before the JVM ends.
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
            logback.stop();
        }
        System.exit(exit);
    }

    /** Runs a command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        return new CommandLine(new IepCommand()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
