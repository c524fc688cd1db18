package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * A node's name lock survives the end of the session that holds it (a PostgreSQL restart ends every session; here an
 * administrator's {@code pg_terminate_backend} ends just that one): the next check takes it again, so a second node
 * under the same name is still refused. Before, the name stayed free until the node restarted.
 */
class NodeNameLocksTest extends LedgerTestSupport {

    @OnPostgres
    void aLostNameLockIsTakenAgainSoASecondNodeUnderTheNameIsStillRefused(TestDatabase.Backend backend)
            throws Exception {
        open(backend);
        assertThat(ledger.holdNodeName("node-k")).isTrue();
        endHoldingSession("node-k");

        assertThat(ledger.recheckNodeNames()).as("names not held after the check").isEmpty();
        assertThat(holders("node-k")).as("sessions holding node-k's lock").isEqualTo(1);
        try (JdbcLedger second = db.open()) {
            assertThat(second.holdNodeName("node-k")).as("a second node under node-k").isFalse();
        }
    }

    @OnPostgres
    void aNameTakenByAnotherSessionMeanwhileIsReportedAndTakenBackOnceFree(TestDatabase.Backend backend)
            throws Exception {
        open(backend);
        assertThat(ledger.holdNodeName("node-k")).isTrue();
        endHoldingSession("node-k");
        try (JdbcLedger intruder = db.open()) {
            assertThat(intruder.holdNodeName("node-k")).as("the name is free while nobody holds it").isTrue();
            assertThat(ledger.recheckNodeNames()).containsExactly("node-k");
        }
        assertThat(ledger.recheckNodeNames()).as("after the other session closed").isEmpty();
        assertThat(holders("node-k")).isEqualTo(1);
    }

    /** Ends the database session holding the node name's advisory lock, as a server restart would. */
    private void endHoldingSession(String node) throws Exception {
        try (Connection admin = db.connect();
             PreparedStatement ps = admin.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_locks"
                     + " WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid::bigint = ?"
                     + " AND objid::bigint = ?")) {
            long key = NodeNameLocks.key(admin.getSchema(), node);
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xFFFF_FFFFL);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a session held the lock").isTrue();
                assertThat(rs.getBoolean(1)).isTrue();
            }
        }
        assertThat(holders(node)).as("after pg_terminate_backend").isZero();
    }

    private long holders(String node) throws Exception {
        try (Connection admin = db.connect()) {
            long key = NodeNameLocks.key(admin.getSchema(), node);
            return db.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
                    + " AND classid::bigint = ? AND objid::bigint = ?", key >>> 32, key & 0xFFFF_FFFFL);
        }
    }
}
