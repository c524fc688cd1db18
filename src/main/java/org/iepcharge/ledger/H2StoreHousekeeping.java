package org.iepcharge.ledger;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.h2.engine.Session;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded H2 ledger file bounded. With {@code WRITE_DELAY=0} (needed so that an acknowledged commit
 * survives SIGKILL, see {@link JdbcLedger#h2FileUrl}) every commit writes a new MVStore chunk of ≈ 35 KB, and H2 has
 * no background thread in that mode, so nothing ever rewrites the few live pages left in old chunks and the chunks
 * are never freed (h2database/h2database#442): 20,000 commits of a 6-B-tree test transaction made a 747 MB file
 * with ≈ 6 % of it live, and a long engine run reached 32 GB in 20 minutes.
 *
 * <p>This does the part of H2's own background housekeeping that matters, on its own daemon thread, never on the
 * ledger writers: every {@code iep.ledger.h2.housekeepingMs} it rewrites the live pages of the emptiest old chunks
 * ({@link FileStore#compact}, with a budget proportional to what was written since the last pass) and frees the
 * chunks nothing refers to any more ({@link FileStore#dropUnusedChunks}); H2 then writes new chunks into the freed
 * space instead of growing the file. The commit path and its durability are untouched.
 *
 * <p>A chunk is only reused after the retention time, {@code iep.ledger.h2.retentionMs} (default 1,000 ms instead
 * of H2's 45 s, which would let the file grow by 45 s worth of chunks before anything can be reused). Never 0:
 * retention 0 is known to corrupt the file ("Double mark" at reopen, h2database#2752/#4083; nitrite-java found 1 s
 * safe in its soak tests). Only for embedded H2 file databases opened in this process; PostgreSQL, in-memory H2 and
 * a ledger reached through another process's AUTO_SERVER need none of it.
 */
final class H2StoreHousekeeping implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(H2StoreHousekeeping.class);

    static final String PERIOD_PROPERTY = "iep.ledger.h2.housekeepingMs";
    static final String RETENTION_PROPERTY = "iep.ledger.h2.retentionMs";
    /** Pause between passes; 0 turns housekeeping off. */
    static final int DEFAULT_PERIOD_MS = 250;
    static final int DEFAULT_RETENTION_MS = 1_000;
    /** Compact only while less than this share of the chunk bytes is live. */
    private static final int TARGET_FILL_PERCENT = 80;
    static final String BUDGET_PROPERTY = "iep.ledger.h2.compactPercent";
    /**
     * Live bytes to rewrite per pass, as a share of the bytes written since the previous pass. It sets where the file
     * settles: freeing a chunk that is f live costs f of its size in rewriting, so with a budget of b the chunks
     * settle near b live. Measured over 1.8 million messages at 20 %: the file was 4.26 GB, 1.12 GB after
     * SHUTDOWN COMPACT (26 % live), growing with the live data, never faster.
     */
    static final int DEFAULT_BUDGET_PERCENT = 20;
    private static final long MIN_BUDGET = 1L << 20;
    private static final long MAX_BUDGET = 64L << 20;

    private final Connection connection;
    private final MVStore store;
    private final int budgetPercent;
    private final ScheduledExecutorService timer;
    private long writtenAtLastPass;
    private long passes;
    private long compactions;

    private H2StoreHousekeeping(Connection connection, MVStore store, int periodMs, int budgetPercent) {
        this.connection = connection;
        this.store = store;
        this.budgetPercent = budgetPercent;
        this.writtenAtLastPass = writtenBytes(store.getFileStore());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ledger-h2-housekeeping");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::pass, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts housekeeping for {@code url} if it names an embedded H2 file database that this process opened, and
     * sets its retention time; otherwise returns {@code null}.
     */
    static H2StoreHousekeeping startIfEmbeddedH2(String url, String user, String password) {
        int periodMs = Integer.getInteger(PERIOD_PROPERTY, DEFAULT_PERIOD_MS);
        if (periodMs <= 0 || !isEmbeddedFileUrl(url)) {
            return null;
        }
        int retentionMs = Math.max(1, Integer.getInteger(RETENTION_PROPERTY, DEFAULT_RETENTION_MS));
        Connection c = null;
        try {
            c = DriverManager.getConnection(url, user, password);
            Session session = c.unwrap(JdbcConnection.class).getSession();
            if (!(session instanceof SessionLocal local)) {
                // AUTO_SERVER: another process owns the file and its housekeeping.
                LOG.debug("ledger housekeeping not started: the H2 file is served by another process");
                c.close();
                return null;
            }
            MVStore store = local.getDatabase().getStore().getMvStore();
            if (store.getFileStore() == null) {
                c.close();
                return null;
            }
            store.setRetentionTime(retentionMs);
            int budgetPercent = Math.min(100, Math.max(1, Integer.getInteger(BUDGET_PROPERTY, DEFAULT_BUDGET_PERCENT)));
            LOG.info("ledger housekeeping: H2 file compaction every {} ms, up to {} % of the bytes written,"
                    + " retention {} ms", periodMs, budgetPercent, retentionMs);
            return new H2StoreHousekeeping(c, store, periodMs, budgetPercent);
        } catch (SQLException | RuntimeException e) {
            // Housekeeping is an optimisation: the ledger works without it, only its file grows.
            LOG.warn("ledger housekeeping not started ({}); the H2 file will not be compacted while running",
                    e.getClass().getSimpleName());
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // nothing more to do
                }
            }
            return null;
        }
    }

    static boolean isEmbeddedFileUrl(String url) {
        String u = url.toLowerCase(Locale.ROOT);
        if (!u.startsWith("jdbc:h2:")) {
            return false;
        }
        String rest = u.substring("jdbc:h2:".length());
        return !(rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:")
                || rest.startsWith("zip:") || rest.startsWith("memfs:") || rest.startsWith("memlzf:"));
    }

    private void pass() {
        try {
            if (store.isClosed()) {
                return;
            }
            FileStore<?> fileStore = store.getFileStore();
            long written = writtenBytes(fileStore);
            long since = Math.max(0, written - writtenAtLastPass);
            writtenAtLastPass = written;
            if (since > 0 && fileStore.getChunksFillRate() < TARGET_FILL_PERCENT) {
                long budget = Math.min(MAX_BUDGET, Math.max(MIN_BUDGET, since * budgetPercent / 100));
                if (fileStore.compact(TARGET_FILL_PERCENT, (int) budget)) {
                    compactions++;
                }
            }
            fileStore.dropUnusedChunks();
            if (++passes % 2_400 == 0 && LOG.isDebugEnabled()) {
                LOG.debug("ledger housekeeping: {} passes, {} compactions, file {} MB, {} % used, chunks {} % live",
                        passes, compactions, fileStore.size() >> 20, fileStore.getFillRate(),
                        fileStore.getChunksFillRate());
            }
        } catch (RuntimeException e) {
            // Keep the timer alive; a closed or failing store shows up on the writers, not here.
            LOG.debug("ledger housekeeping pass failed ({})", e.getClass().getSimpleName());
        }
    }

    /** Bytes H2 wrote to the file since it was opened ({@code info.FILE_WRITE_BYTES}, the only public way to it). */
    private static long writtenBytes(FileStore<?> fileStore) {
        long[] bytes = {0};
        fileStore.populateInfo((key, value) -> {
            if ("info.FILE_WRITE_BYTES".equals(key)) {
                bytes[0] = Long.parseLong(value);
            }
        });
        return bytes[0];
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the database closes with the ledger's other connections
        }
    }
}
