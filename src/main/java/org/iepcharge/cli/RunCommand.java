package org.iepcharge.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

/** {@code run}: starts the engine with the settings of system properties, environment and properties file. */
@Command(name = RunCommand.NAME, description = "Start the engine (LIS listener, ledger, delivery to billing).")
final class RunCommand implements Callable<Integer> {
    static final String NAME = "run";

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return org.iepcharge.camel.EngineLauncher.runUntilStopped(spec.commandLine().getErr());
    }

    /**
     * {@code run} without picocli (see {@link IepCommand#execute}), ending as picocli ends a command: the launcher's
     * exit code, or for an exception it lets through its stack trace on {@code err} and exit code 1.
     */
    static int run(PrintWriter err) {
        try {
            return org.iepcharge.camel.EngineLauncher.runUntilStopped(err);
        } catch (Exception e) {
            e.printStackTrace(err);
            return 1;
        }
    }
}
