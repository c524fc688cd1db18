package org.iepcharge.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ConcurrentHashMap;
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
 * ({@link WriterPause}): the writer waits for that short pass instead of doing the whole checkpoint itself. Still in
 * the pause, this thread starts the WAL again with a write of its own that changes nothing ({@link #restartWal}):
 * whichever transaction writes first into a fully copied WAL writes and syncs its new header (wal.c
 * {@code sqlite3WalFrames}), and otherwise that would be the writer's next commit.
 * SQLite syncs the database file only in a pass that reaches the end of the WAL (wal.c {@code walCheckpoint}), so the
 * paused pass would sync every page copied since the last restart — the 3–38 ms of the first measurement. The
 * database file is synced here first, with the writer running ({@link #syncDatabaseFile}); the paused pass then
 * syncs little more than its own tail.
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
    /**
     * Between passes. Under closed-loop load the writer adds up to ~16,000 frames a second (BENCHMARKS.md): at 100 ms
     * the WAL is restarted at 4,000–7,000 frames, short of the writer's backstop at 10,000; at 200 ms it reached it.
     */
    private static final long INTERVAL_MILLIS = 100;
    /** SQLite's result code for a lock held elsewhere (https://www.sqlite.org/rescode.html#busy). */
    private static final int SQLITE_BUSY = 5;

    /** Runs {@code pass} between two of the writer's transactions, the writer waiting until it returns. */
    @FunctionalInterface
    interface WriterPause {
        Pass whilePaused(PassCall pass) throws SQLException;
    }

    @FunctionalInterface
    interface PassCall {
        Pass run() throws SQLException;
    }

    /**
     * One checkpoint pass as SQLite reports it: frames in the WAL, and how many of them the database file holds; both
     * -1 when the pass could not run (busy: another checkpoint, or the WAL index as the writer changed it;
     * https://www.sqlite.org/c3ref/wal_checkpoint_v2.html).
     */
    record Pass(long walFrames, long copiedFrames) {
        long tail() {
            return walFrames - copiedFrames;
        }

        boolean ran() {
            return walFrames >= 0;
        }
    }

    private final Supplier<Connection> connections;
    private final WriterPause pause;
    private final int restartFrames;
    private final Path databaseFile;
    private Thread thread;
    private volatile boolean running = true;
    private Connection connection;
    /**
     * Database files open for {@link FileChannel#force} only, by file identity (device and inode), for the life of the
     * process: never closed, because closing any descriptor of a file drops every POSIX lock the process holds on it,
     * SQLite's included (https://www.sqlite.org/howtocorrupt.html, 2.2) — another ledger or CLI connection on the same
     * file in this process may be open at any time. One descriptor per ledger file the process restarts a WAL of.
     */
    private static final ConcurrentHashMap<Object, FileChannel> SYNC_CHANNELS = new ConcurrentHashMap<>();

    /** A checkpointer driven by {@link #cycle} calls only (tests); {@link #start} gives it its thread. */
    WalCheckpointer(Supplier<Connection> connections, WriterPause pause, int restartFrames, Path databaseFile) {
        this.connections = connections;
        this.pause = pause;
        this.restartFrames = restartFrames;
        this.databaseFile = databaseFile;
    }

    static WalCheckpointer start(Supplier<Connection> connections, WriterPause pause, Path databaseFile) {
        WalCheckpointer c = new WalCheckpointer(connections, pause, RESTART_FRAMES, databaseFile);
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
        if (!pass.ran() || pass.walFrames() < restartFrames) {
            return pass; // a pass that could not run is tried again at the next interval
        }
        for (int i = 0; i < CATCH_UP_PASSES && pass.tail() > MAX_PAUSED_TAIL; i++) {
            pass = checkpoint();
        }
        if (pass.tail() > MAX_PAUSED_TAIL) {
            return pass; // the writer outruns this thread: the next interval tries again (the backstop meanwhile)
        }
        if (syncDatabaseFile()) {
            pass = checkpoint(); // what the writer added during the sync, its WAL synced too: the paused tail is short
        }
        Pass last = pause.whilePaused(this::lastPass);
        if (LOG.isDebugEnabled()) {
            LOG.debug("WAL of {} frames {} with the writer paused", last.walFrames(),
                    last.tail() == 0 ? "fully copied, restarting" : "not fully copied (" + last.tail() + " left)");
        }
        return last;
    }

    /** The pass with the writer paused: copies the rest, then starts the WAL again if all of it was copied. */
    private Pass lastPass() throws SQLException {
        Pass pass = checkpoint();
        if (pass.walFrames() > 0 && pass.tail() == 0) {
            restartWal();
        }
        return pass;
    }

    /**
     * A one-page write transaction that changes nothing ({@code user_version}, unused by the ledger, set to its own
     * value): begun with every frame copied, it starts the WAL from its beginning and syncs the new header here
     * (wal.c {@code walRestartLog}, {@code sqlite3WalFrames}). Another process holding the write lock (the command
     * line) is not waited for: the writer's next commit then restarts the WAL itself.
     */
    private void restartWal() throws SQLException {
        try (Statement st = connection.createStatement()) {
            long version;
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                rs.next();
                version = rs.getLong(1);
            }
            st.execute("PRAGMA user_version = " + version);
        } catch (SQLException e) {
            if ((e.getErrorCode() & 0xff) != SQLITE_BUSY) {
                throw e;
            }
            LOG.debug("ledger WAL not restarted by the checkpointer: the write lock is held elsewhere");
        }
    }

    /** One PASSIVE checkpoint on this thread's connection. */
    Pass checkpoint() throws SQLException {
        if (connection == null) {
            connection = connections.get();
            try (Statement st = connection.createStatement()) {
                // Never waits for a lock: its passes do not (PASSIVE), and its restart write runs with the writer
                // paused, which must not last while the command line holds the write lock.
                st.execute("PRAGMA busy_timeout = 0");
            }
        }
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            rs.next();
            return new Pass(rs.getLong(2), rs.getLong(3));
        }
    }

    /**
     * Syncs the pages the passes so far copied into the database file, with the writer running; false when the file
     * cannot be opened (the paused pass then syncs them, as SQLite would). Only more syncing than SQLite's own: what a
     * commit makes durable is unchanged.
     */
    private boolean syncDatabaseFile() {
        try {
            Object identity = Files.readAttributes(databaseFile, BasicFileAttributes.class).fileKey();
            if (identity == null) {
                return false;
            }
            SYNC_CHANNELS.computeIfAbsent(identity, k -> {
                try {
                    return FileChannel.open(databaseFile, StandardOpenOption.READ);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).force(false);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("ledger file not synced ahead of the WAL restart ({})", e.getClass().getSimpleName());
            return false;
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
