package org.iepcharge.ledger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the embedded ledger's WAL back into the database file on a thread of its own. SQLite otherwise checkpoints
 * on the connection whose commit takes the WAL past 1,000 pages — the ledger writer, the engine's one serial
 * thread, which then spends that commit copying pages and syncing the file (the {@code pwrite64}/{@code fsync} share
 * of the writer in BENCHMARKS.md). A PASSIVE checkpoint neither waits for nor blocks the writer, and changes nothing
 * about what a commit makes durable: the WAL is the durable record, a checkpoint only copies it
 * (https://www.sqlite.org/wal.html, "Checkpointing"; https://www.sqlite.org/c3ref/wal_checkpoint_v2.html).
 * The writer keeps automatic checkpoints at {@link #WRITER_BACKSTOP_PAGES}, so the WAL stays bounded even if
 * this thread cannot keep up or cannot connect.
 */
final class WalCheckpointer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WalCheckpointer.class);
    /** Automatic checkpoint threshold of the writers' connections: only reached when this thread falls behind. */
    static final int WRITER_BACKSTOP_PAGES = 10_000;
    private static final long INTERVAL_MILLIS = 200;

    private final Supplier<Connection> connections;
    private final Thread thread;
    private volatile boolean running = true;
    private Connection connection;

    WalCheckpointer(Supplier<Connection> connections) {
        this.connections = connections;
        this.thread = new Thread(this::loop, "ledger-checkpointer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(INTERVAL_MILLIS);
                checkpoint();
            } catch (InterruptedException e) {
                return;
            } catch (SQLException | RuntimeException e) {
                // The writer's own automatic checkpoints take over until the next attempt succeeds.
                LOG.warn("ledger WAL checkpoint failed ({}): retried in {} ms", e.getClass().getSimpleName(),
                        INTERVAL_MILLIS);
                closeConnection();
            }
        }
    }

    /** One PASSIVE checkpoint: {frames in the WAL, frames copied into the database}, as SQLite reports them. */
    long[] checkpoint() throws SQLException {
        if (connection == null) {
            connection = connections.get();
        }
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            rs.next();
            return new long[] {rs.getLong(2), rs.getLong(3)};
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Reconnected on the next attempt.
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }
}
