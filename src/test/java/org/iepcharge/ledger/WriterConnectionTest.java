package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;

import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded ledger's writer connection (BENCHMARKS.md, "Writer diet"): its temporary storage is in memory, and
 * its WAL reaches the database file through the checkpointer thread, not through the writer's own commits.
 */
class WriterConnectionTest {

    @TempDir
    Path dir;

    private JdbcLedger ledger;

    @AfterEach
    void close() {
        if (ledger != null) {
            ledger.close();
        }
    }

    private static String pragma(LedgerSession s, String name) throws java.sql.SQLException {
        try (Statement st = s.connection().createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void onlyTheWriterKeepsItsStatementJournalsInMemory() {
        ledger = JdbcLedger.open(JdbcLedger.sqliteFileUrl(dir), "", "");
        // temp_store: 0 = the build's default (files), 2 = MEMORY (https://www.sqlite.org/pragma.html#pragma_temp_store)
        LedgerWork<String> tempStore = s -> pragma(s, "temp_store");
        LedgerWork<String> autoCheckpoint = s -> pragma(s, "wal_autocheckpoint");
        String writer = ledger.write(tempStore);
        String reader = ledger.read(tempStore);
        assertThat(writer).isEqualTo("2");
        assertThat(reader).isEqualTo("0");
        String backstop = ledger.write(autoCheckpoint);
        assertThat(backstop).isEqualTo(String.valueOf(WalCheckpointer.WRITER_BACKSTOP_PAGES));
    }

    @Test
    void theWalReachesTheDatabaseFileWithoutTheWriterCheckpointing() throws Exception {
        ledger = JdbcLedger.open(JdbcLedger.sqliteFileUrl(dir), "", "");
        Path file = dir.resolve("ledger.db");
        long before = Files.size(file);
        byte[] raw = new byte[4096];
        int rows = 1500; // about 3,000 pages of 4 KiB: more than SQLite's default 1,000, less than the backstop
        for (int batch = 0; batch < 30; batch++) {
            int first = batch * rows / 30;
            ledger.write((LedgerSession s) -> {
                for (int i = first; i < first + rows / 30; i++) {
                    Arrays.fill(raw, (byte) ('A' + i % 26));
                    s.inbound().record(new InboundRecord("LIS^LAB", "C" + i, "h" + i, "ORU^R01", "P", raw,
                            Outcome.accepted(Disposition.IGNORED)), Instant.now());
                }
                return null;
            });
        }
        long written = (long) rows * raw.length;
        // Only a checkpoint grows the database file; the writer's own would wait for 10,000 pages.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Files.size(file) < before + written && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(Files.size(file)).isGreaterThanOrEqualTo(before + written);
    }
}
