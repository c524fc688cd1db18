package org.iepcharge.ledger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the embedded ledger's WAL back into the database file on a thread of its own, and keeps the WAL bounded
 * without the writer checkpointing in its commits.
 *
 * <p>A PASSIVE checkpoint neither waits for nor blocks the writer, and changes nothing about what a commit makes
 * durable: the WAL is the durable record, a checkpoint only copies it (https://www.sqlite.org/wal.html,
 * "Checkpointing"; https://www.sqlite.org/c3ref/wal_checkpoint_v2.html). But copying alone never lets the WAL start
 * again from its beginning while the writer keeps writing. SQLite restarts the WAL only in a write transaction whose
 * read began when every frame had been copied (wal.c, {@code walRestartLog}: {@code readLock==0}, i.e.
 * {@code nBackfill==mxFrame}); a busy writer has always appended more by the time a pass ends. The WAL then grew to the
 * writer's automatic checkpoint ({@link #WRITER_BACKSTOP_PAGES}) every few seconds, and that checkpoint ran inside a
 * commit with three fsyncs (the WAL, the database file holding every page copied since its last sync, the new WAL
 * header) while the batch's ACKs waited (BENCHMARKS.md, "ACK stages").
 *
 * <p>So once the WAL holds {@link #RESTART_FRAMES}, a pass copies what it can with the writer running, a second one
 * the little written meanwhile, and a last one copies the rest between two of the writer's batches
 * ({@link WriterPause}): the writer waits for that short pass instead of doing the whole checkpoint itself. Its next
 * transaction then starts the WAL again (SQLite syncs the new WAL header in it, wal.c {@code sqlite3WalFrames}).
 * The last pass only runs when the tail left is small ({@link #MAX_PAUSED_TAIL}); a pass still short of the end
 * (a reader holding an old snapshot, the CLI checkpointing) just leaves the restart to the next interval. The writer
 * keeps automatic checkpoints at {@link #WRITER_BACKSTOP_PAGES}, so the WAL stays bounded even if this thread cannot
 * keep up or cannot connect.
 */
final class WalCheckpointer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WalCheckpointer.class);
    /** Automatic checkpoint threshold of the writers' connections: only reached when this thread falls behind. */
    static final int WRITER_BACKSTOP_PAGES = 10_000;
    /** WAL frames (pages) from which this thread has the WAL started again: 16 MiB of 4 KiB pages. */
    static final int RESTART_FRAMES = 4_000;
    /** At most this many frames are copied with the writer held (one or two commits' worth under load). */
    static final int MAX_PAUSED_TAIL = 1_000;
    private static final int CATCH_UP_PASSES = 3;
    private static final long INTERVAL_MILLIS = 200;

    /** Runs {@code pass} between two of the writer's transactions, the writer waiting until it returns. */
    @FunctionalInterface
    interface WriterPause {
        Pass whilePaused(PassCall pass) throws SQLException;
    }

    @FunctionalInterface
    interface PassCall {
        Pass run() throws SQLException;
    }

    /** One checkpoint pass as SQLite reports it: frames in the WAL, and how many of them the database file holds. */
    record Pass(long walFrames, long copiedFrames) {
        long tail() {
            return walFrames - copiedFrames;
        }
    }

    private final Supplier<Connection> connections;
    private final WriterPause pause;
    private final int restartFrames;
    private Thread thread;
    private volatile boolean running = true;
    private Connection connection;

    /** A checkpointer driven by {@link #cycle} calls only (tests); {@link #start} gives it its thread. */
    WalCheckpointer(Supplier<Connection> connections, WriterPause pause, int restartFrames) {
        this.connections = connections;
        this.pause = pause;
        this.restartFrames = restartFrames;
    }

    static WalCheckpointer start(Supplier<Connection> connections, WriterPause pause) {
        WalCheckpointer c = new WalCheckpointer(connections, pause, RESTART_FRAMES);
        c.thread = new Thread(c::loop, "ledger-checkpointer");
        c.thread.setDaemon(true);
        c.thread.start();
        return c;
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(INTERVAL_MILLIS);
                cycle();
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

    /**
     * One round: a PASSIVE pass; once the WAL holds the restart threshold, passes until the tail is small and a last
     * one with the writer paused, after which the writer's next transaction starts the WAL again. Returns the last
     * pass.
     */
    Pass cycle() throws SQLException {
        Pass pass = checkpoint();
        if (pass.walFrames() < restartFrames) {
            return pass;
        }
        for (int i = 0; i < CATCH_UP_PASSES && pass.tail() > MAX_PAUSED_TAIL; i++) {
            pass = checkpoint();
        }
        if (pass.tail() > MAX_PAUSED_TAIL) {
            return pass; // the writer outruns this thread: the next interval tries again (the backstop meanwhile)
        }
        Pass last = pause.whilePaused(this::checkpoint);
        if (LOG.isDebugEnabled()) {
            LOG.debug("WAL of {} frames {} with the writer paused", last.walFrames(),
                    last.tail() == 0 ? "fully copied, restarting" : "not fully copied (" + last.tail() + " left)");
        }
        return last;
    }

    /** One PASSIVE checkpoint on this thread's connection. */
    Pass checkpoint() throws SQLException {
        if (connection == null) {
            connection = connections.get();
        }
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            rs.next();
            return new Pass(rs.getLong(2), rs.getLong(3));
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
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeConnection();
    }
}
