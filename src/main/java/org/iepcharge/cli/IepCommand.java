package org.iepcharge.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The one entry point of the jar: {@code java -jar target/iep-charge-router.jar <command>}. {@code --help} and
 * {@code --version} are inherited by every subcommand ({@code scope = INHERIT}), so {@code send --help} works as well as
 * {@code --help}.
 */
@Command(name = "iep-charge-router", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
        version = "iep-charge-router 0.1.0",
        description = "HL7 v2 charge capture for serum immunoelectrophoresis (CPT 86320).",
        subcommands = {RunCommand.class, SendCommand.class, ReceiveCommand.class, OutboxCommand.class,
                HoldsCommand.class, ExplainCommand.class, PruneCommand.class, BenchCommand.class,
                HttpPasswordCommand.class})
public final class IepCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int exit = execute(args);
        // Logging is asynchronous (EngineLogging): flush what is queued before the JVM ends.
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
            logback.stop();
        }
        System.exit(exit);
    }

    /**
     * Runs a command line exactly as {@link #main} does, writing to the current {@link System#out} and
     * {@link System#err}, and returns its exit code instead of ending the JVM (tests call this; they capture the
     * streams with {@link System#setOut}). Both writers are flushed before returning: a command that prints with
     * {@code print} rather than {@code println} would otherwise lose its output when {@code main} calls
     * {@code System.exit}.
     */
    public static int execute(String... args) {
        Charset charset = Charset.defaultCharset();
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, charset), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, charset), true);
        try {
            if (args.length == 1 && RunCommand.NAME.equals(args[0])) {
                // `run` alone has nothing to parse. picocli's model of all the commands (reflection over every command
                // class and option, and the classes of the option types) cost 0.1-0.3 s of the engine's start-up, so
                // the command the engine is started with skips it; `run --help` and friends still go through picocli.
                return RunCommand.run(err);
            }
            return new CommandLine(new IepCommand()).setOut(out).setErr(err).execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
