package org.iepcharge.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

/** {@code run}: starts the engine with the settings of system properties, environment and properties file. */
@Command(name = "run", description = "Start the engine (LIS listener, ledger, delivery to billing).")
final class RunCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return org.iepcharge.camel.EngineLauncher.runUntilStopped(spec.commandLine().getErr());
    }
}
