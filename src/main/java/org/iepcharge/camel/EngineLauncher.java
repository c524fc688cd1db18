package org.iepcharge.camel;

import java.util.concurrent.CountDownLatch;

import org.iepcharge.rules.RulesException;

/** {@code run}: starts the engine and blocks until the JVM is asked to stop (Ctrl-C, SIGTERM). */
public final class EngineLauncher {
    private EngineLauncher() {
    }

    public static int runUntilStopped() throws Exception {
        Engine engine;
        try {
            engine = Engine.start(EngineSettings.fromEnvironment());
        } catch (SettingsException | RulesException e) {
            System.err.println("iep-charge-router: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            engine.close();
            // Logging is asynchronous: flush it after the engine's last line, not in a hook racing this one.
            if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
                logback.stop();
            }
            stopped.countDown();
        }, "iep-shutdown"));
        stopped.await();
        return 0;
    }
}
