package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The outbox with several nodes: a dead node's claims are taken over when its lease ends, a renewed lease keeps them,
 * and across nodes a later DFT of an order (a credit) never leaves before an earlier one (its charge).
 */
class ClusterOutboxTest extends LedgerTestSupport {

    private static List<Long> claim(JdbcLedger node, Duration lease, String name) {
        return node.claimDue(10, lease, name).stream().map(OutboxItem::id).toList();
    }

    @OnBothDatabases
    void aDeadNodesChargeIsTakenOverAfterItsLeaseAndItsCreditFollowsOnlyAfterIt(TestDatabase.Backend backend) {
        open(backend);
        JdbcLedger node2 = otherNode();
        long charge = enqueue("CHARGE", "O1");
        long credit = enqueue("CREDIT", "O1");
        long other = enqueue("OTHER", "O2");
        // node-1 claims the charge and dies without a word: its lease is all that protects the claim.
        assertThat(ledger.claimDue(1, Duration.ofMillis(700), "node-1")).extracting(OutboxItem::id)
                .containsExactly(charge);

        // node-2 delivers other orders meanwhile, but neither the claimed charge nor the credit behind it.
        assertThat(claim(node2, Duration.ofMinutes(1), "node-2")).containsExactly(other);
        node2.markDelivered(other, "AA");

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> claim(node2, Duration.ofMinutes(1), "node-2"), ids -> !ids.isEmpty())
                .forEach(id -> assertThat(id).as("first DFT node-2 takes over").isEqualTo(charge));
        assertThat(db.string("SELECT claimed_by FROM outbox WHERE id = ?", charge)).isEqualTo("node-2");
        assertThat(claim(node2, Duration.ofMinutes(1), "node-2")).as("credit while its charge is pending").isEmpty();
        node2.markDelivered(charge, "AA");
        assertThat(claim(node2, Duration.ofMinutes(1), "node-2")).containsExactly(credit);
    }

    @OnBothDatabases
    void aRenewedLeaseKeepsTheClaimFromOtherNodes(TestDatabase.Backend backend) {
        open(backend);
        JdbcLedger node2 = otherNode();
        long charge = enqueue("CHARGE", "O1");
        assertThat(claim(ledger, Duration.ofMillis(1), "node-1")).containsExactly(charge);
        Instant before = Instant.now();
        assertThat(ledger.renewClaim(charge, "node-1", Duration.ofMinutes(10))).isTrue();
        assertThat(db.count("SELECT COUNT(*) FROM outbox WHERE id = ? AND claimed_until > ?", charge,
                Timestamp.from(before.plus(Duration.ofMinutes(9))))).as("lease renewed to 10 minutes").isEqualTo(1);
        assertThat(claim(node2, Duration.ofMinutes(1), "node-2")).isEmpty();
        assertThat(db.string("SELECT claimed_by FROM outbox WHERE id = ?", charge)).isEqualTo("node-1");
    }

    /**
     * A row another node is claiming at this moment (its claim transaction holds the row lock) is skipped, not waited
     * for: this node claims the next order's DFT at once, and not the locked order's later DFT.
     */
    @OnPostgres
    void aRowBeingClaimedByAnotherNodeIsSkippedNotWaitedFor(TestDatabase.Backend backend) throws Exception {
        open(backend);
        JdbcLedger node2 = otherNode();
        long locked = enqueue("LOCKED", "O1");
        long behind = enqueue("BEHIND", "O1");
        long free = enqueue("FREE", "O2");
        try (Connection other = db.connect()) {
            other.setAutoCommit(false);
            try (PreparedStatement ps = other.prepareStatement("SELECT id FROM outbox WHERE id = ? FOR UPDATE")) {
                ps.setLong(1, locked);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
            }
            // Without SKIP LOCKED this claim would wait for the other transaction, which ends only below.
            assertThat(claim(node2, Duration.ofMinutes(1), "node-2")).containsExactly(free);
            other.rollback();
        }
        assertThat(claim(node2, Duration.ofMinutes(1), "node-2")).containsExactly(locked);
        assertThat(behind).isGreaterThan(locked);
    }
}
