package org.iepcharge.camel;

import java.util.concurrent.CompletableFuture;

import org.flywaydb.core.Flyway;

/**
 * Start-up time (docs/operating.md "Start-up"): work the ledger's opening would do first, done ahead on a thread of
 * its own while the main thread reads the settings and the rules, so the opening later finds it done:
 * <ul>
 *   <li>the first Flyway configuration of a JVM loads Flyway's plugins and copies their settings through a Jackson
 *       ObjectMapper — about two thirds of the ledger's opening before it reads a single migration. A configuration
 *       without a data source is built and dropped: no file, connection or setting is touched;</li>
 *   <li>for a SQLite ledger, sqlite-jdbc's native library is unpacked and loaded (what its first connection does).</li>
 * </ul>
 */
final class StartupWarmUp {
    private final CompletableFuture<Boolean> sqlite = new CompletableFuture<>();

    private StartupWarmUp() {
    }

    /**
     * Starts the warm-up. Call it after logging is initialised: Flyway logs through slf4j, and slf4j hands a thread
     * that asks while another initialises it a substitute logger for good.
     */
    static StartupWarmUp startInBackground() {
        StartupWarmUp warmUp = new StartupWarmUp();
        Thread thread = new Thread(warmUp::run, "iep-start-warm-up");
        thread.setDaemon(true);
        thread.start();
        return warmUp;
    }

    /** Once the settings are read: whether the ledger is SQLite (its native library is then loaded too). */
    void ledgerUrl(String url) {
        sqlite.complete(url.startsWith("jdbc:sqlite:"));
    }

    private void run() {
        try {
            Flyway.configure().load();
            if (sqlite.get()) {
                org.sqlite.SQLiteJDBCLoader.initialize();
            }
        } catch (Exception | LinkageError e) {
            // Only a head start: the ledger's own opening does the same and reports what fails.
        }
    }
}
