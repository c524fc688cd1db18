package org.iepcharge.camel;

import java.util.concurrent.CountDownLatch;

import org.iepcharge.rules.RulesException;
import org.iepcharge.config.EngineSettings;
import org.iepcharge.config.SettingsException;

/** {@code run}: starts the engine and blocks until the JVM is asked to stop (Ctrl-C, SIGTERM). */
public final class EngineLauncher {
    private EngineLauncher() {
    }

    /**
     * A start-up error is one line, whatever the message: Flyway's, for a ledger whose applied migration no longer
     * matches its file, spans six (its lines are kept, joined by "; ").
     */
    static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /**
     * Starts the engine; a start-up failure is one line on {@code err} (never a stack trace) and a non-zero exit
     * code: 2 for a bad setting or rules file (a port in use included), 1 for anything else.
     */
    public static int runUntilStopped(java.io.PrintWriter err) throws Exception {
        // Logging first, on this thread (the start-up threads log too), then the warm-up beside the settings.
        org.slf4j.LoggerFactory.getILoggerFactory();
        StartupWarmUp warmUp = StartupWarmUp.startInBackground();
        Engine engine;
        try {
            EngineSettings settings = EngineSettings.fromEnvironment();
            warmUp.ledgerUrl(settings.ledgerUrl());
            engine = Engine.start(settings);
        } catch (SettingsException | RulesException e) {
            err.println("iep-charge-router: " + e.getMessage());
            err.flush();
            return 2;
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            org.slf4j.LoggerFactory.getLogger(EngineLauncher.class).debug("start-up failed", e);
            err.println("iep-charge-router: cannot start: " + root.getClass().getSimpleName()
                    + (root.getMessage() == null ? "" : ": " + oneLine(root.getMessage())));
            err.flush();
            return 1;
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
