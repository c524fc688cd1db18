package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

/** Per (order, CPT) test state ({@link TestStates}): cancel state and final result seen. */
class TestStatesTest extends LedgerTestSupport {

    @OnBothDatabases
    void finalSeenAndCancelStateArePerOrderAndCpt(TestDatabase.Backend backend) {
        open(backend);
        String orderKey = "P:PL1^LIS";
        ledger.write((LedgerSession s) -> {
            assertThat(s.tests().markFinalSeen(orderKey, "86320")).as("first final of 86320").isTrue();
            // Another charge-master test of the same order has its own first final (docs/decision-contract.md §7).
            assertThat(s.tests().markFinalSeen(orderKey, "86334")).as("first final of 86334").isTrue();
            assertThat(s.tests().markFinalSeen(orderKey, "86334")).as("second final of 86334").isFalse();
            s.tests().setCancelState(orderKey, "86334", CancelState.CANCELLED);
            return null;
        });
        assertThat(ledger.read((LedgerSession s) -> s.tests().cancelState(orderKey, "86334"))).isEqualTo(CancelState.CANCELLED);
        assertThat(ledger.read((LedgerSession s) -> s.tests().cancelState(orderKey, "86320"))).isEqualTo(CancelState.NONE);
        assertThat(ledger.read((LedgerSession s) -> s.tests().finalSeen(orderKey, "86325"))).isFalse();
        assertThat(db.count("SELECT COUNT(*) FROM order_test WHERE order_key = 'P:PL1^LIS'")).isEqualTo(2);
    }

    @OnBothDatabases
    void orderWideStateFromBeforeV4AppliesToEveryCptUntilItsOwnRowExists(TestDatabase.Backend backend)
            throws Exception {
        open(backend);
        // What migration V4 carries over for an order cancelled before any line: the order-wide row (cpt '').
        try (java.sql.Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO order_test (order_key, cpt, final_seen, cancel_state)"
                    + " VALUES ('P:OLD^LIS', '', FALSE, 'CANCELLED')");
        }
        assertThat(ledger.read((LedgerSession s) -> s.tests().cancelState("P:OLD^LIS", "86320")))
                .isEqualTo(CancelState.CANCELLED);
        ledger.write((LedgerSession s) -> {
            assertThat(s.tests().markFinalSeen("P:OLD^LIS", "86320")).isTrue();
            return null;
        });
        assertThat(ledger.read((LedgerSession s) -> s.tests().cancelState("P:OLD^LIS", "86320")))
                .as("the new (order, CPT) row starts from the carried-over state").isEqualTo(CancelState.CANCELLED);
        assertThat(ledger.read((LedgerSession s) -> s.tests().finalSeen("P:OLD^LIS", "86320"))).isTrue();
        assertThat(ledger.read((LedgerSession s) -> s.tests().finalSeen("P:OLD^LIS", "86334"))).isFalse();
    }
}
