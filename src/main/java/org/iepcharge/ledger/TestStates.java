package org.iepcharge.ledger;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import org.iepcharge.ledger.SessionSql.Use;

/**
 * Table {@code order_test} within one {@link LedgerSession}: the state of one charge-master test of an order, per
 * (order, CPT) (docs/decision-contract.md §4, §7).
 */
public final class TestStates {
    private final SessionSql sql;
    /**
     * The (order, CPT) states ({@code order_test}) this transaction read or wrote, so capture reads each once: only
     * this session's own writes change them within the transaction. A row another node creates meanwhile fails our
     * insert on its primary key, and the capture is decided again in a fresh session — as before this was kept.
     */
    private final java.util.Map<String, Optional<TestState>> testStates = new java.util.HashMap<>();

    TestStates(SessionSql sql) {
        this.sql = sql;
    }

    /**
     * Cancel state of one test of an order: NONE, REQUESTED (CA/DC) or CANCELLED (confirmed, nothing posted). A
     * cancel names the test (its ORC/OBR group), so cancelling one test of an order leaves the others alone.
     */
    public CancelState cancelState(String orderKey, String cpt) throws SQLException {
        return testState(orderKey, cpt).map(TestState::cancelState).orElse(CancelState.NONE);
    }

    /** Whether a final (or corrected) result was processed for this order and CPT. */
    public boolean finalSeen(String orderKey, String cpt) throws SQLException {
        return testState(orderKey, cpt).map(TestState::finalSeen).orElse(false);
    }

    /**
     * Marks a final result seen for this order and CPT; true when this call changed it, i.e. this is the first final
     * for the order and CPT (§7 posts on it), false when one was seen before.
     */
    public boolean markFinalSeen(String orderKey, String cpt) throws SQLException {
        Optional<TestState> known = testState(orderKey, cpt);
        if (known.isPresent() && known.get().cpt().equals(cpt)) {
            if (known.get().finalSeen()) {
                return false; // never unset: this transaction read it set
            }
            try (Use use = sql.use("UPDATE order_test SET final_seen = TRUE"
                    + " WHERE order_key = ? AND cpt = ? AND final_seen = FALSE")) {
                PreparedStatement ps = use.statement();
                ps.setString(1, orderKey);
                ps.setString(2, cpt);
                boolean changed = ps.executeUpdate() == 1;
                testStates.put(testKey(orderKey, cpt), Optional.of(new TestState(cpt, true,
                        known.get().cancelState())));
                return changed;
            }
        }
        insertTestRow(orderKey, cpt, true, known.map(TestState::cancelState).orElse(CancelState.NONE));
        return !known.map(TestState::finalSeen).orElse(false);
    }

    /** Sets the cancel state of this order and CPT. */
    public void setCancelState(String orderKey, String cpt, CancelState state) throws SQLException {
        Optional<TestState> known = testState(orderKey, cpt);
        if (known.isPresent() && known.get().cpt().equals(cpt)) {
            try (Use use = sql.defer(
                    "UPDATE order_test SET cancel_state = ? WHERE order_key = ? AND cpt = ?")) {
                PreparedStatement ps = use.statement();
                ps.setString(1, state.name());
                ps.setString(2, orderKey);
                ps.setString(3, cpt);
                ps.executeUpdate();
            }
            testStates.put(testKey(orderKey, cpt), Optional.of(new TestState(cpt, known.get().finalSeen(), state)));
            return;
        }
        insertTestRow(orderKey, cpt, known.map(TestState::finalSeen).orElse(false), state);
    }

    /** One (order, CPT) row as read: {@code cpt} is '' for the order-wide row V4 carried over. */
    record TestState(String cpt, boolean finalSeen, CancelState cancelState) {
    }

    /**
     * Keeps the state {@link OrderContexts#find(org.iepcharge.domain.OrderKey, String)} read with the order (empty:
     * no row), so this session's reads of the same (order, CPT) answer from it.
     */
    void remember(String orderKey, String cpt, Optional<TestState> state) {
        testStates.put(testKey(orderKey, cpt), state);
    }

    private static String testKey(String orderKey, String cpt) {
        return orderKey + '\n' + cpt;
    }

    /** The (order, CPT) row, else the order-wide state carried over by migration V4 (cpt ''). */
    private Optional<TestState> testState(String orderKey, String cpt) throws SQLException {
        String key = testKey(orderKey, cpt);
        Optional<TestState> known = testStates.get(key);
        if (known != null) {
            return known;
        }
        try (Use use = sql.use("SELECT cpt, final_seen, cancel_state FROM order_test"
                + " WHERE order_key = ? AND (cpt = ? OR cpt = '') ORDER BY cpt DESC")) {
            PreparedStatement ps = use.statement();
            ps.setString(1, orderKey);
            ps.setString(2, cpt);
            try (ResultSet rs = ps.executeQuery()) {
                Optional<TestState> found = rs.next() ? Optional.of(new TestState(rs.getString(1), rs.getBoolean(2),
                        CancelState.valueOf(rs.getString(3)))) : Optional.empty();
                testStates.put(key, found);
                return found;
            }
        }
    }

    /**
     * Creates the (order, CPT) row, which did not exist, with the state given (starting from the order-wide state
     * carried over by V4). Two nodes creating it at once: the primary key fails one, whose capture is retried whole
     * and finds the row.
     */
    private void insertTestRow(String orderKey, String cpt, boolean finalSeen, CancelState state)
            throws SQLException {
        try (Use use = sql.defer("INSERT INTO order_test (order_key, cpt, final_seen, cancel_state)"
                + " VALUES (?, ?, ?, ?)")) {
            PreparedStatement ps = use.statement();
            ps.setString(1, orderKey);
            ps.setString(2, cpt);
            ps.setBoolean(3, finalSeen);
            ps.setString(4, state.name());
            ps.executeUpdate();
        }
        testStates.put(testKey(orderKey, cpt), Optional.of(new TestState(cpt, finalSeen, state)));
    }
}
