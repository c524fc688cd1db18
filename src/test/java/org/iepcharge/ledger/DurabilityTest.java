package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every ledger connection runs with, read back from the database itself (not from our settings): the
 * durability contract holds whatever URL was given, and a URL that asks for less is refused naming the setting.
 */
class DurabilityTest {

    @TempDir
    Path dir;

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** journal_mode, synchronous and busy_timeout as the writer and a reader connection see them. */
    private static String[][] seenBy(JdbcLedger ledger) {
        LedgerWork<String[]> look = s -> new String[] {pragma(s.connection(), "journal_mode"),
                pragma(s.connection(), "synchronous"), pragma(s.connection(), "busy_timeout"),
                pragma(s.connection(), "foreign_keys")};
        return new String[][] {ledger.write(look), ledger.read(look)};
    }

    @Test
    void processDurabilityIsWalWithSynchronousNormalOnEveryConnection() {
        // A URL as a user writes it: nothing of the engine's settings in it.
        try (JdbcLedger ledger = JdbcLedger.open("jdbc:sqlite:" + dir.resolve("plain.db"), "", "",
                Durability.PROCESS)) {
            for (String[] seen : seenBy(ledger)) {
                assertThat(seen).containsExactly("wal", "1", "10000", "1");
            }
        }
    }

    @Test
    void powerDurabilityIsSynchronousFull() {
        try (JdbcLedger ledger = JdbcLedger.open(JdbcLedger.sqliteFileUrl(dir), "", "", Durability.POWER)) {
            for (String[] seen : seenBy(ledger)) {
                assertThat(seen).containsExactly("wal", "2", "10000", "1");
            }
        }
    }

    @Test
    void aUrlAskingForMoreKeepsIt() {
        try (JdbcLedger ledger = JdbcLedger.open("jdbc:sqlite:" + dir.resolve("x.db") + "?synchronous=EXTRA", "", "",
                Durability.PROCESS)) {
            for (String[] seen : seenBy(ledger)) {
                assertThat(seen[1]).isEqualTo("3");
            }
        }
    }

    @Test
    void aSqliteUrlAskingForLessIsRefusedNamingTheSetting() {
        String file = "jdbc:sqlite:" + dir.resolve("weak.db");
        assertThatThrownBy(() -> JdbcLedger.open(file + "?synchronous=OFF", "", "", Durability.PROCESS))
                .isInstanceOf(DurabilityException.class)
                .hasMessageStartingWith("iep.ledger.url asks for synchronous=OFF");
        assertThatThrownBy(() -> JdbcLedger.open(file + "?synchronous=NORMAL", "", "", Durability.POWER))
                .isInstanceOf(DurabilityException.class)
                .hasMessageContaining("synchronous=NORMAL, weaker than iep.ledger.durability=power");
        assertThatThrownBy(() -> JdbcLedger.open(file + "?journal_mode=MEMORY", "", "", Durability.PROCESS))
                .isInstanceOf(DurabilityException.class).hasMessageContaining("journal_mode=MEMORY");
        assertThatThrownBy(() -> JdbcLedger.open("jdbc:sqlite::memory:", "", "", Durability.PROCESS))
                .isInstanceOf(DurabilityException.class).hasMessageContaining("names no database file");
        assertThat(dir.resolve("weak.db")).doesNotExist();
    }

    @Test
    void postgresqlConnectionsRunWithSynchronousCommitOnEvenWhenTheSessionDefaultIsOff() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Backend.POSTGRESQL, dir)) {
            try (JdbcLedger ledger = db.open()) {
                LedgerWork<String> show = s -> {
                    try (Statement st = s.connection().createStatement();
                         ResultSet rs = st.executeQuery("SHOW synchronous_commit")) {
                        rs.next();
                        return rs.getString(1);
                    }
                };
                assertThat(ledger.write(show)).isEqualTo("on");
                assertThat(ledger.read(show)).isEqualTo("on");
            }
            // A role or database default of off (simulated on the session): our preparation turns it on.
            try (Connection c = DriverManager.getConnection(db.url, db.user, db.password);
                 Statement st = c.createStatement()) {
                st.execute("SET synchronous_commit TO off");
                SqlDialect.POSTGRESQL.prepare(c, db.url, Durability.PROCESS);
                try (ResultSet rs = st.executeQuery("SHOW synchronous_commit")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("on");
                }
            }
            String weak = db.url + "&options=-c%20synchronous_commit%3Doff";
            assertThatThrownBy(() -> JdbcLedger.open(weak, db.user, db.password, Durability.PROCESS))
                    .isInstanceOf(DurabilityException.class)
                    .hasMessageStartingWith("iep.ledger.url asks for synchronous_commit=off");
        }
    }
}
