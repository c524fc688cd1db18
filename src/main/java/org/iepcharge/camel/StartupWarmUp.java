package org.iepcharge.camel;

import java.util.concurrent.CompletableFuture;

/**
 * Start-up time (docs/operating.md "Start-up"): for a SQLite ledger, sqlite-jdbc's native library is loaded (what its
 * first connection does; from the copy an earlier start unpacked, {@code ledger.SqliteNativeLibrary}) on a thread of its
 * own from the moment the settings are read, while the ledger's start-up thread builds Flyway's configuration and the
 * main thread reads the rules.
 *
 * Then Jackson's first {@code ObjectMapper}, for the main thread.
 *
 * <p>Flyway's configuration is no longer warmed here: the ledger's own start-up thread now builds it from the moment
 * the settings are read ({@code JdbcLedger.schemaMigration}), and a second configuration built beside it only
 * doubled the work (each one loads Flyway's plugins and copies them through Jackson).
 */
final class StartupWarmUp {
    private final CompletableFuture<Boolean> sqlite = new CompletableFuture<>();

    private StartupWarmUp() {
    }

    /** Starts the warm-up (it waits for {@link #ledgerUrl}). */
    static StartupWarmUp startInBackground() {
        StartupWarmUp warmUp = new StartupWarmUp();
        Thread thread = new Thread(warmUp::run, "iep-start-warm-up");
        thread.setDaemon(true);
        thread.start();
        return warmUp;
    }

    /** Once the settings are read: whether the ledger is SQLite (its native library is then loaded). */
    void ledgerUrl(String url) {
        sqlite.complete(url.startsWith("jdbc:sqlite:"));
    }

    private void run() {
        try {
            if (sqlite.get()) {
                // From a verified copy unpacked by an earlier start, not unpacked again (SqliteNativeLibrary).
                org.iepcharge.ledger.SqliteNativeLibrary.load();
            }
        } catch (Exception | LinkageError e) {
            // Only a head start: the ledger's own first connection does the same and reports what fails.
        }
        // Jackson's ObjectMapper (≈ 380 classes): the console's API and camel-micrometer's route-policy service each
        // make one on the main thread while camel-main is prepared. Flyway's plugin copies used to load these classes
        // on the ledger's thread; they no longer do, so the first mapper is made here, beside the main thread.
        try {
            new com.fasterxml.jackson.databind.ObjectMapper();
        } catch (RuntimeException | LinkageError e) {
            // Only a head start.
        }
    }
}
