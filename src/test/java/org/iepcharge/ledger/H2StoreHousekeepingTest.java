package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;

import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 ledger file stays bounded under a stream of commits through the real write path (h2database#442:
 * with WRITE_DELAY=0 H2 itself never compacts). Each commit here is shaped like a message: an inbound row with a
 * 1.5 KB raw message, the outcome of the previous message, a DFT in the outbox; plus one autocommitted
 * markDelivered — 8,000 ledger commits in all, ≈ 24 KB of file each without housekeeping.
 *
 * <p>Measured on the 2-core dev machine: without housekeeping ({@code -Diep.ledger.h2.housekeepingMs=0}) the file is
 * 142 MB after 3,000 such messages and 292 MB after 6,000; with housekeeping 57–89 MB after 6,000 (the rest of the
 * file beyond the live data is mostly the chunks of the last second or two, which retention keeps, so the housekept
 * size depends on the commit rate, not on how long the run is). The bound, 120 MB, sits between.
 */
class H2StoreHousekeepingTest {

    private static final int MESSAGES = 4_000;
    /**
     * At most this many messages per second, so the run lasts at least 8 s whatever the machine: what housekeeping
     * can reclaim depends on time (retention 1 s, a pass every 250 ms), and on a fast machine an unpaced run would
     * end before the first chunks were old enough to reuse.
     */
    private static final int PACE_PER_SECOND = 500;
    /** Without housekeeping the same run leaves ≈ 195 MB (292 MB after 6,000 messages, 142 MB after 3,000). */
    private static final long BOUND = 120L << 20;

    @TempDir
    Path dir;

    @Test
    void fileStaysBoundedUnderSustainedCommitsAndReopensIntact() throws Exception {
        Path withHousekeeping = dir.resolve("on");
        long sizeOn = run(withHousekeeping);
        System.out.printf("H2 ledger after %d messages (%d commits): %d MB%n", MESSAGES, 2 * MESSAGES, sizeOn >> 20);

        assertThat(sizeOn).as("housekept file; without housekeeping it is ≈ 195 MB here").isLessThan(BOUND);

        // Reopen after housekeeping: every row is there and readable.
        try (Connection c = DriverManager.getConnection(JdbcLedger.h2FileUrl(withHousekeeping), "sa", "");
                Statement s = c.createStatement()) {
            assertThat(count(s, "SELECT COUNT(*) FROM inbound_message")).isEqualTo(MESSAGES);
            assertThat(count(s, "SELECT COUNT(*) FROM inbound_message WHERE ack_code = 'AA'")).isEqualTo(MESSAGES - 1);
            assertThat(count(s, "SELECT COUNT(*) FROM outbox WHERE status = 'DELIVERED'")).isEqualTo(MESSAGES);
            assertThat(count(s, "SELECT SUM(OCTET_LENGTH(raw)) FROM inbound_message")).isEqualTo(MESSAGES * 1_500L);
            s.execute("SHUTDOWN COMPACT");
        }
        System.out.printf("live data (after SHUTDOWN COMPACT): %d MB%n",
                Files.size(withHousekeeping.resolve("ledger.mv.db")) >> 20);
    }

    @Test
    void onlyEmbeddedH2FileUrlsAreHousekept() {
        assertThat(H2StoreHousekeeping.isEmbeddedFileUrl("jdbc:h2:file:/x/ledger;WRITE_DELAY=0")).isTrue();
        assertThat(H2StoreHousekeeping.isEmbeddedFileUrl("jdbc:h2:/x/ledger")).isTrue();
        assertThat(H2StoreHousekeeping.isEmbeddedFileUrl("jdbc:h2:mem:x")).isFalse();
        assertThat(H2StoreHousekeeping.isEmbeddedFileUrl("jdbc:h2:tcp://host/x")).isFalse();
        assertThat(H2StoreHousekeeping.isEmbeddedFileUrl("jdbc:postgresql://host/x")).isFalse();
    }

    /** Runs the commits, closes the ledger, returns the size of the file while it was still open. */
    private static long run(Path directory) throws Exception {
        Path file = directory.resolve("ledger.mv.db");
        byte[] raw = new byte[1_500];
        Arrays.fill(raw, (byte) 'M');
        long size;
        try (JdbcLedger ledger = JdbcLedger.open(JdbcLedger.h2FileUrl(directory), "sa", "")) {
            long previous = -1;
            long started = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) {
                long due = started + i * 1_000_000_000L / PACE_PER_SECOND;
                long early = due - System.nanoTime();
                if (early > 0) {
                    Thread.sleep(early / 1_000_000, (int) (early % 1_000_000));
                }
                String controlId = "C" + i;
                String orderKey = "ORDER-" + i;
                long prev = previous;
                long[] ids = ledger.write("P" + (i % 50), (LedgerSession s) -> {
                    long id = s.recordInbound(new InboundRecord("LIS^LAB", controlId, "h" + controlId, "ORU^R01",
                            "P", raw, Outcome.noAnswer()), Instant.now());
                    if (prev >= 0) {
                        s.setOutcome(prev, Outcome.accepted(Disposition.CHARGED));
                    }
                    long outbox = s.enqueue("D" + controlId, orderKey,
                            ("DFT " + controlId).getBytes(StandardCharsets.US_ASCII), Instant.now());
                    return new long[] {id, outbox};
                });
                previous = ids[0];
                ledger.markDelivered(ids[1], "AA");
            }
            size = Files.size(file);
        }
        return size;
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
