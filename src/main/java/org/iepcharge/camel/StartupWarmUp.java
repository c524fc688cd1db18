package org.iepcharge.camel;

import org.flywaydb.core.Flyway;

/**
 * Start-up time (docs/operating.md "Start-up"): the first Flyway configuration of a JVM loads Flyway's plugins and
 * copies their settings through a Jackson ObjectMapper — about two thirds of the ledger's opening, before it reads a
 * single migration. {@code run} has this done on a thread of its own while the main thread reads the settings and
 * the rules, so the ledger's opening later finds it done. No file, connection or setting is touched: a
 * configuration without a data source is built and dropped.
 */
final class StartupWarmUp {
    private StartupWarmUp() {
    }

    /**
     * Starts the warm-up. Call it after logging is initialised: Flyway logs through slf4j, and slf4j hands a thread
     * that asks while another initialises it a substitute logger for good.
     */
    static void startInBackground() {
        Thread thread = new Thread(StartupWarmUp::warmUp, "iep-start-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    private static void warmUp() {
        try {
            Flyway.configure().load();
        } catch (RuntimeException | LinkageError e) {
            // Only a head start: the ledger's own opening does the same and reports what fails.
        }
    }
}
