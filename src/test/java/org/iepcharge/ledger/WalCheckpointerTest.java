package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded ledger's WAL starts again from its beginning while the writer never idles, through the checkpointer's
 * pass and write between two batches, not through the writer's own checkpoint or commit (WalCheckpointer;
 * BENCHMARKS.md, "WAL restarts off the commit path").
 */
class WalCheckpointerTest {

    @TempDir
    Path dir;

    private String url;

    private Connection connect() {
        try {
            Connection c = DriverManager.getConnection(url);
            SqlDialect.SQLITE.prepare(c, url, Durability.PROCESS);
            return c;
        } catch (SQLException e) {
            throw new LedgerException("test connection", e);
        }
    }

    /** The WAL header's checkpoint sequence number (bytes 12–15, https://www.sqlite.org/fileformat.html#walformat). */
    private static int walSequence(Path wal) throws IOException {
        byte[] header = new byte[32];
        try (InputStream in = Files.newInputStream(wal)) {
            assertThat(in.readNBytes(header, 0, 32)).isEqualTo(32);
        }
        return ByteBuffer.wrap(header, 12, 4).getInt();
    }

    @Test
    void theWalOfAWriterThatNeverIdlesStartsAgainAfterAPassBetweenTwoBatches() throws Exception {
        url = JdbcLedger.sqliteFileUrl(dir);
        JdbcLedger.open(url, "", "").close(); // the schema; its own checkpointer stops with it
        Path wal = dir.resolve("ledger.db-wal");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong acknowledged = new AtomicLong();
        AtomicInteger ids = new AtomicInteger();
        int rowsPerJob = 2;
        ExecutorService submitters = Executors.newFixedThreadPool(4);
        try (GroupCommitter writer = new GroupCommitter(this::connect, SqlDialect.SQLITE);
             WalCheckpointer checkpointer = new WalCheckpointer(this::connect, writer::betweenBatches, 1,
                     dir.resolve("ledger.db"))) {
            // Four callers keep the writer's queue from ever running dry: without the pause, a pass always ends
            // behind the writer and the WAL never starts again (the writer's backstop did it, inside a commit).
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                running.add(submitters.submit(() -> {
                    byte[] raw = new byte[2048];
                    while (!stop.get()) {
                        writer.submit((LedgerSession s) -> {
                            for (int r = 0; r < rowsPerJob; r++) {
                                int id = ids.incrementAndGet();
                                Arrays.fill(raw, (byte) ('A' + id % 26));
                                s.inbound().record(new InboundRecord("LIS^LAB", "W" + id, "h" + id, "ORU^R01", "P",
                                        raw, Outcome.accepted(Disposition.IGNORED)), Instant.now());
                            }
                            return null;
                        });
                        acknowledged.incrementAndGet();
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() >= 100);
            for (int round = 0; round < 5; round++) {
                int sequence = walSequence(wal);
                // A pass that races the writer's update of the WAL index header does not run (SQLite answers busy,
                // -1 frames; a CI run met it): the engine's thread tries again at its next interval, and so does this.
                WalCheckpointer.Pass last = checkpointer.cycle();
                for (int attempt = 0; !last.ran() && attempt < 100; attempt++) {
                    Thread.sleep(5);
                    last = checkpointer.cycle();
                }
                // With the writer held between two batches, the pass copied every frame of the WAL.
                assertThat(last.walFrames()).isPositive();
                assertThat(last.tail()).isZero();
                // The checkpointer's own write started the WAL again, in the pause: a new header, the sequence up.
                assertThat(walSequence(wal)).isGreaterThan(sequence);
                long seen = acknowledged.get();
                await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() > seen + 8);
            }
            stop.set(true);
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            submitters.shutdownNow();
        }
        // Every acknowledged write is in the ledger after the restarts (a restart overwrites only copied frames).
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM inbound_message WHERE control_id LIKE 'W%'")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(acknowledged.get() * rowsPerJob);
        }
    }
}
