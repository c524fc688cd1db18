package org.iepcharge.camel;

/** Starts the engine and blocks until the JVM is asked to stop. */
public final class EngineLauncher {
    private EngineLauncher() {
    }

    public static int runUntilStopped() throws Exception {
        throw new IllegalStateException("engine wiring lands with issue 2");
    }
}
