package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.Statement;

import org.flywaydb.core.api.exception.FlywayValidateException;

/**
 * What the ledger relies on from Flyway, whatever the way it builds it ({@link JdbcLedger#schemaMigration}, with a
 * plugin register of its own, {@link FlywayPlugins}): a fresh ledger gets every migration, and an existing one is
 * validated against the migration files before it opens — a migration changed after it was applied (its checksum no
 * longer the one recorded) stops the ledger from opening, naming the version.
 */
class LedgerMigrationTest extends LedgerTestSupport {

    @OnBothDatabases
    void anAppliedMigrationWhoseChecksumNoLongerMatchesStopsTheLedgerFromOpening(TestDatabase.Backend backend)
            throws Exception {
        open(backend);
        assertThat(db.column("SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\" = TRUE AND"
                + " \"version\" IS NOT NULL")).extracting(Object::toString).containsExactly("1", "2", "3", "4", "6", "7");
        ledger.close();
        ledger = null;
        // Reopened as it is: validated, nothing re-applied.
        JdbcLedger again = db.open();
        again.close();
        // As if V6's file had been edited after the ledger applied it.
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE \"flyway_schema_history\" SET \"checksum\" = \"checksum\" + 1 WHERE \"version\" = '6'");
        }

        assertThatThrownBy(db::open).isInstanceOf(FlywayValidateException.class)
                .hasMessageContaining("checksum mismatch").hasMessageContaining("6");
    }

    @OnBothDatabases
    void eachLedgerGetsAFlywayOfItsOwn(TestDatabase.Backend backend) {
        open(backend);
        // Two Flyway instances for the same ledger, one after the other: neither shares the other's plugin register.
        assertThat(ledger.schemaMigration().getConfiguration().getPluginRegister())
                .isNotSameAs(ledger.schemaMigration().getConfiguration().getPluginRegister());
    }
}
