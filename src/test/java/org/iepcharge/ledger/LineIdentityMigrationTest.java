package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.OrderKey;

/**
 * Migration V4 on a ledger written before it (issue 12): the order-wide "final seen" and cancel state become the
 * state of each (order, CPT) the order has lines or holds for, and every charge line gets its order's placer and
 * filler numbers from the order context, so that a result naming the order by its filler number only recognises the
 * order's own lines after the upgrade (docs/decision-contract.md §1, §4, §7).
 */
class LineIdentityMigrationTest extends LedgerTestSupport {

    @OnBothDatabases
    void v4CarriesTheOrderWideStateToEachCptAndTheOrderNumbersToEachLine(TestDatabase.Backend backend)
            throws SQLException {
        db = TestDatabase.create(backend, dir);
        Flyway.configure().dataSource(db.url, db.user, db.password).locations(SqlDialect.of(db.url)
                .firstMigrationLocation(), "classpath:db/migration").target("3").load().migrate();
        try (Connection c = DriverManager.getConnection(db.url, db.user, db.password);
             Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO inbound_message (sender, control_id, content_hash, message_type,"
                    + " processing_id, received_at, disposition, ack_code, error_code, error_location, error_text)"
                    + " VALUES ('LIS^LAB', 'M1', 'h1', 'ORU^R01', 'P', CURRENT_TIMESTAMP, 'CHARGED', 'AA', 0, '', '')");
            long m = db.count("SELECT id FROM inbound_message");
            // Order 1: resulted and charged (86320 line, 86334 held); order 2: cancelled before any line.
            st.executeUpdate("INSERT INTO order_context (order_key, placer_key, filler_key, patient_key,"
                    + " source_message_id, context_json, cancel_state, final_seen, updated_at) VALUES"
                    + " ('P:PL1^LIS', 'PL1^LIS', 'FL1^LAB', 'PAT-A', " + m
                    + ", '{}', 'NONE', TRUE, CURRENT_TIMESTAMP)");
            st.executeUpdate("INSERT INTO order_context (order_key, placer_key, filler_key, patient_key,"
                    + " source_message_id, context_json, cancel_state, final_seen, updated_at) VALUES"
                    + " ('P:PL2^LIS', 'PL2^LIS', '^', 'PAT-A', " + m
                    + ", '{}', 'CANCELLED', FALSE, CURRENT_TIMESTAMP)");
            st.executeUpdate("INSERT INTO charge_line (transaction_id, order_key, cpt, kind, generation, patient_key,"
                    + " date_of_service, units, modifiers, production, status, line_json, rules_version,"
                    + " source_message_id, posted_dft, posted_at) VALUES ('C00000000001', 'P:PL1^LIS', '86320', 'T',"
                    + " 1, 'PAT-A', '20240501', 1, '', TRUE, 'POSTED', '" + LedgerJson.write(
                            line("C00000000001", LineKind.T, "86320", "20240501083000")) + "', 'r1', " + m
                    + ", 'D1', CURRENT_TIMESTAMP)");
            st.executeUpdate("INSERT INTO charge_hold (order_key, cpt, kind, patient_key, reason_code, reason_text,"
                    + " status, source_message_id, trigger_json, created_at) VALUES ('P:PL1^LIS', '86334', 'T',"
                    + " 'PAT-A', 'MUE_EXCEEDED', 'x', 'OPEN', " + m + ", '{}', CURRENT_TIMESTAMP)");
        }

        ledger = db.open(); // migrates to the newest version

        assertThat(ledger.read((LedgerSession s) -> List.of(s.tests().finalSeen("P:PL1^LIS", "86320"),
                s.tests().finalSeen("P:PL1^LIS", "86334")))).containsExactly(true, true);
        assertThat(ledger.read((LedgerSession s) -> s.tests().cancelState("P:PL2^LIS", "86320")))
                .isEqualTo(CancelState.CANCELLED);
        assertThat(ledger.read((LedgerSession s) -> s.tests().finalSeen("P:PL2^LIS", "86320"))).isFalse();
        assertThat(db.count("SELECT COUNT(*) FROM order_test")).isEqualTo(3);

        List<StoredLine> posted = ledger.read((LedgerSession s) -> s.lines().postedForPatient("PAT-A", "86320",
                "20240501"));
        assertThat(posted).extracting(StoredLine::order).containsExactly(
                new OrderKey(new EntityId("PL1", "LIS"), new EntityId("FL1", "LAB")));
    }
}
