package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The DFT outbox: claims are conditional updates in the database, oldest first, and a later DFT of an order never
 * overtakes an earlier one that is still pending or parked, while other orders keep flowing.
 */
class OutboxTest extends LedgerTestSupport {

    private static final Duration LEASE = Duration.ofMinutes(1);

    /** What each audited action came to, in order. */
    private final List<Boolean> audited = new ArrayList<>();
    private final AuditWrite<Boolean> audit = (s, done) -> audited.add(done);

    private List<Long> claim(JdbcLedger node, int max, String name) {
        return node.claimDue(max, LEASE, name).stream().map(OutboxItem::id).toList();
    }

    @OnBothDatabases
    void claimDueReturnsTheOldestFirstAndLeasesThem(TestDatabase.Backend backend) {
        open(backend);
        long d1 = enqueue("D1", "O1");
        long d2 = enqueue("D2", "O2");
        long d3 = enqueue("D3", "O3");
        long d4 = enqueue("D4", "O4");

        List<OutboxItem> first = ledger.claimDue(2, LEASE, "node-1");
        assertThat(first).extracting(OutboxItem::id).containsExactly(d1, d2);
        assertThat(first.get(0)).extracting(OutboxItem::controlId, OutboxItem::orderKey, OutboxItem::status,
                OutboxItem::attempts).containsExactly("D1", "O1", OutboxStatus.PENDING, 0);
        assertThat(first.get(0).payload()).asString().isEqualTo("DFT D1");
        assertThat(claim(ledger, 10, "node-1")).containsExactly(d3, d4);
        assertThat(claim(ledger, 10, "node-1")).isEmpty();
        assertThat(db.string("SELECT claimed_by FROM outbox WHERE id = ?", d1)).isEqualTo("node-1");
    }

    @OnBothDatabases
    void aLaterDftWaitsForTheEarlierOneOfItsOrderWhileOtherOrdersFlow(TestDatabase.Backend backend) {
        open(backend);
        long a1 = enqueue("A1", "OA");
        long b1 = enqueue("B1", "OB");
        long a2 = enqueue("A2", "OA");
        long c1 = enqueue("C1", "OC");
        long b2 = enqueue("B2", "OB");

        assertThat(claim(ledger, 10, "n1")).containsExactly(a1, b1, c1);
        assertThat(claim(ledger, 10, "n1")).isEmpty();

        ledger.markDelivered(a1, "AA");
        // B1 goes back to the queue, not due for an hour: still PENDING, so B2 must keep waiting.
        ledger.scheduleRetry(b1, "connection refused", Instant.now().plus(Duration.ofHours(1)));
        assertThat(claim(ledger, 10, "n1")).containsExactly(a2);
        assertThat(claim(ledger, 10, "n1")).isEmpty();

        long c2 = enqueue("C2", "OC");
        ledger.markDelivered(c1, "AA");
        assertThat(claim(ledger, 10, "n1")).containsExactly(c2);
        assertThat(outboxStatus(b2)).isEqualTo("PENDING");
        assertThat(db.count("SELECT COUNT(*) FROM outbox WHERE id = ? AND claimed_by IS NULL", b2)).isEqualTo(1);
        assertThat(outboxStatus(a1)).isEqualTo("DELIVERED");
        assertThat(db.string("SELECT last_error FROM outbox WHERE id = ?", a1)).isEqualTo("answered AA");
    }

    @OnBothDatabases
    void aParkedDftHoldsBackOnlyItsOwnOrderUntilRetriedOrDiscarded(TestDatabase.Backend backend) {
        open(backend);
        long a1 = enqueue("A1", "OA");
        long b1 = enqueue("B1", "OB");
        long a2 = enqueue("A2", "OA");
        long b2 = enqueue("B2", "OB");
        assertThat(claim(ledger, 10, "n1")).containsExactly(a1, b1);

        ledger.park(a1, "AR 207 from billing");
        ledger.markDelivered(b1, "AA");
        assertThat(claim(ledger, 10, "n1")).containsExactly(b2);
        assertThat(claim(ledger, 10, "n1")).isEmpty();
        assertThat(ledger.undelivered()).extracting(OutboxItem::id, OutboxItem::status, OutboxItem::attempts)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(a1, OutboxStatus.PARKED, 1),
                        org.assertj.core.groups.Tuple.tuple(a2, OutboxStatus.PENDING, 0),
                        org.assertj.core.groups.Tuple.tuple(b2, OutboxStatus.PENDING, 0));

        // Only a parked DFT can be retried or discarded.
        assertThat(ledger.retryParked(a2, audit)).isFalse();
        assertThat(ledger.discardParked(b1, "delivered already", audit)).isFalse();

        assertThat(ledger.retryParked(a1, audit)).isTrue();
        assertThat(ledger.retryParked(a1, audit)).isFalse();
        assertThat(claim(ledger, 10, "n1")).containsExactly(a1);

        ledger.park(a1, "AR again");
        assertThat(claim(ledger, 10, "n1")).isEmpty();
        assertThat(ledger.discardParked(a1, "charge entered by hand", audit)).isTrue();
        assertThat(ledger.discardParked(a1, "twice", audit)).isFalse();
        assertThat(ledger.retryParked(a1, audit)).isFalse();
        assertThat(outboxStatus(a1)).isEqualTo("DISCARDED");
        assertThat(db.string("SELECT last_error FROM outbox WHERE id = ?", a1))
                .isEqualTo("discarded: charge entered by hand");
        // Discarded, the order's next DFT flows.
        assertThat(claim(ledger, 10, "n1")).containsExactly(a2);
        // Each action handed its audit write what it came to, refusals included.
        assertThat(audited).containsExactly(false, false, true, false, true, false, false);
    }

    @OnBothDatabases
    void anAuditWriteThatFailsUndoesTheAnalystsAction(TestDatabase.Backend backend) {
        open(backend);
        long a1 = enqueue("A1", "OA");
        assertThat(claim(ledger, 10, "n1")).containsExactly(a1);
        ledger.park(a1, "AR 207 from billing");
        AuditWrite<Boolean> failing = (s, done) -> {
            throw new java.sql.SQLException("no space left for the audit row", "53100");
        };

        assertThatThrownBy(() -> ledger.retryParked(a1, failing)).isInstanceOf(LedgerException.class);
        assertThatThrownBy(() -> ledger.discardParked(a1, "charged by hand", failing))
                .isInstanceOf(LedgerException.class);

        // Neither action happened without its audit row.
        assertThat(outboxStatus(a1)).isEqualTo("PARKED");
        assertThat(db.string("SELECT last_error FROM outbox WHERE id = ?", a1)).isEqualTo("AR 207 from billing");
        assertThat(claim(ledger, 10, "n1")).isEmpty();
    }

    @OnBothDatabases
    void scheduleRetryIsNotClaimedBeforeItsNextAttempt(TestDatabase.Backend backend) {
        open(backend);
        long a1 = enqueue("A1", "OA");
        assertThat(claim(ledger, 10, "n1")).containsExactly(a1);

        Instant next = Instant.now().plusMillis(1500);
        ledger.scheduleRetry(a1, "x".repeat(5000), next);
        long scheduledAt = System.nanoTime();
        OutboxItem queued = ledger.undelivered().get(0);
        assertThat(queued.attempts()).isEqualTo(1);
        assertThat(queued.lastError()).hasSize(1000);
        assertThat(Duration.between(queued.nextAttemptAt(), next).abs()).isLessThan(Duration.ofMillis(1));
        assertThat(claim(ledger, 10, "n1")).isEmpty();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> claim(ledger, 10, "n1"), ids -> ids.contains(a1));
        assertThat(Duration.ofNanos(System.nanoTime() - scheduledAt)).isGreaterThan(Duration.ofMillis(1300));

        // A retry due now is claimable at once.
        ledger.scheduleRetry(a1, "again", Instant.now().minusSeconds(1));
        assertThat(claim(ledger, 10, "n1")).containsExactly(a1);
        assertThat(db.count("SELECT attempts FROM outbox WHERE id = ?", a1)).isEqualTo(2);
    }

    @OnBothDatabases
    void anExpiredLeaseLetsAnotherNodeClaim(TestDatabase.Backend backend) {
        open(backend);
        JdbcLedger node2 = otherNode();
        long a1 = enqueue("A1", "OA");
        // 3 s: the other node's first look must fall inside the lease even on a loaded machine (with 800 ms a helper's
        // run under load 13 once saw node-2 claim it at that first look).
        assertThat(ledger.claimDue(10, Duration.ofSeconds(3), "node-1")).extracting(OutboxItem::id)
                .containsExactly(a1);
        assertThat(claim(node2, 10, "node-2")).isEmpty();

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> claim(node2, 10, "node-2"), ids -> ids.contains(a1));
        assertThat(db.string("SELECT claimed_by FROM outbox WHERE id = ?", a1)).isEqualTo("node-2");
        assertThat(claim(ledger, 10, "node-1")).isEmpty();
    }

    /**
     * Two nodes (two ledgers on one database, three threads each) claim and deliver 400 DFTs of 100 orders at once:
     * every DFT is claimed exactly once, and never before the earlier DFT of its order was delivered.
     */
    @OnBothDatabases
    void twoNodesClaimingConcurrentlyNeverClaimTheSameRow(TestDatabase.Backend backend) throws Exception {
        open(backend);
        JdbcLedger node2 = otherNode();
        int orders = 100;
        int perOrder = 4;
        Map<Long, String> orderOf = new ConcurrentHashMap<>();
        Map<Long, Long> previousOf = new ConcurrentHashMap<>();
        ledger.write((LedgerSession s) -> {
            Instant now = Instant.now().minusSeconds(5);
            long[] last = new long[orders];
            for (int k = 0; k < perOrder; k++) {
                for (int o = 0; o < orders; o++) {
                    long id = s.outbox().enqueue("D" + k + "-" + o, "O" + o, new byte[] {1}, now);
                    orderOf.put(id, "O" + o);
                    if (k > 0) {
                        previousOf.put(id, last[o]);
                    }
                    last[o] = id;
                }
            }
            return null;
        });
        int total = orders * perOrder;

        Map<Long, String> claimedBy = new ConcurrentHashMap<>();
        Map<Long, Boolean> delivered = new ConcurrentHashMap<>();
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger claims = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> workers = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int t = 0; t < 6; t++) {
            JdbcLedger node = t % 2 == 0 ? ledger : node2;
            String name = (t % 2 == 0 ? "node-1/" : "node-2/") + t;
            workers.add(pool.submit(() -> {
                while (delivered.size() < total && System.nanoTime() < deadline) {
                    for (OutboxItem item : node.claimDue(5, LEASE, name)) {
                        claims.incrementAndGet();
                        String earlier = claimedBy.putIfAbsent(item.id(), name);
                        if (earlier != null) {
                            violations.add(item.id() + " claimed by " + earlier + " and " + name);
                        }
                        Long previous = previousOf.get(item.id());
                        if (previous != null && !delivered.containsKey(previous)) {
                            violations.add(item.id() + " claimed before " + previous + " of its order was delivered");
                        }
                        // Flag first, then update: the database can only release the next DFT after this flag.
                        delivered.put(item.id(), Boolean.TRUE);
                        node.markDelivered(item.id(), "AA");
                    }
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get(90, TimeUnit.SECONDS);
        }
        pool.shutdown();

        System.out.printf("%s: %d DFTs, %d claims, by node-1 %d, by node-2 %d%n", backend, total, claims.get(),
                claimedBy.values().stream().filter(n -> n.startsWith("node-1")).count(),
                claimedBy.values().stream().filter(n -> n.startsWith("node-2")).count());
        assertThat(violations).isEmpty();
        assertThat(claims.get()).isEqualTo(total);
        assertThat(claimedBy).hasSize(total);
        if (backend == TestDatabase.Backend.POSTGRESQL) {
            // Several nodes are a PostgreSQL deployment. On one SQLite file the write lock goes to whichever
            // connection retries first, with no queue, so one node may take every claim (measured: 400/0, 355/45);
            // what must hold there too is checked above: no row claimed twice, none out of its order's sequence.
            assertThat(claimedBy.values()).anyMatch(n -> n.startsWith("node-1"))
                    .anyMatch(n -> n.startsWith("node-2"));
        }
        assertThat(db.count("SELECT COUNT(*) FROM outbox WHERE status = 'DELIVERED' AND attempts = 1"))
                .isEqualTo(total);
        assertThat(orderOf).hasSize(total);
    }

    @OnBothDatabases
    void aNodeThatLostItsClaimCannotRetryOrParkTheDftAnotherNodeHolds(TestDatabase.Backend backend) {
        open(backend);
        long id = enqueue("TAKEN", "O1");
        assertThat(ledger.claimDue(10, Duration.ofMillis(1), "n1")).extracting(OutboxItem::id).containsExactly(id);
        await().atMost(Duration.ofSeconds(5)).until(() -> !ledger.claimDue(10, Duration.ofMinutes(5), "n2").isEmpty());
        assertThat(ledger.scheduleRetry(id, "n1", "late failure", Instant.now())).isFalse();
        assertThat(ledger.park(id, "n1", "late refusal")).isFalse();
        assertThat(ledger.claimDue(10, Duration.ofMinutes(5), "n3")).as("still n2's").isEmpty();
        assertThat(ledger.park(id, "n2", "AR 103")).isTrue();
        assertThat(ledger.undelivered()).singleElement().satisfies(i -> assertThat(i.status()).isEqualTo(OutboxStatus.PARKED));
    }

    @OnBothDatabases
    void withdrawPendingOnlyWithdrawsUndeliveredNeverAttemptedDfts(TestDatabase.Backend backend) {
        open(backend);
        long claimed = enqueue("CLAIMED", "O1");
        long retried = enqueue("RETRIED", "O2");
        long delivered = enqueue("DELIVERED", "O3");
        long parked = enqueue("PARKED", "O4");
        assertThat(claim(ledger, 10, "n1")).containsExactly(claimed, retried, delivered, parked);
        ledger.scheduleRetry(retried, "timeout", Instant.now().plus(Duration.ofHours(1)));
        ledger.markDelivered(delivered, "AA");
        ledger.park(parked, "AR");
        long fresh = enqueue("FRESH", "O5");
        long later = enqueue("LATER", "O5");

        Instant now = Instant.now();
        assertThat(ledger.write((LedgerSession s) -> s.outbox().withdrawPending("CLAIMED", now))).isFalse();
        assertThat(ledger.write((LedgerSession s) -> s.outbox().withdrawPending("RETRIED", now))).isFalse();
        assertThat(ledger.write((LedgerSession s) -> s.outbox().withdrawPending("DELIVERED", now))).isFalse();
        assertThat(ledger.write((LedgerSession s) -> s.outbox().withdrawPending("PARKED", now))).isFalse();
        assertThat(ledger.write((LedgerSession s) -> s.outbox().withdrawPending("NO-SUCH", now))).isFalse();
        assertThat(ledger.write((LedgerSession s) -> s.outbox().withdrawPending("FRESH", now))).isTrue();
        assertThat(ledger.write((LedgerSession s) -> s.outbox().withdrawPending("FRESH", now))).isFalse();

        assertThat(outboxStatus(fresh)).isEqualTo("WITHDRAWN");
        assertThat(outboxStatus(claimed)).isEqualTo("PENDING");
        assertThat(outboxStatus(retried)).isEqualTo("PENDING");
        assertThat(outboxStatus(delivered)).isEqualTo("DELIVERED");
        assertThat(outboxStatus(parked)).isEqualTo("PARKED");
        // A withdrawn DFT neither goes out nor holds back its order.
        assertThat(claim(ledger, 10, "n1")).containsExactly(later);
    }

    @OnBothDatabases
    void answersRecordedTogetherKeepEachOnesConditionsAndReleaseTheLaterDftsOfTheirOrders(
            TestDatabase.Backend backend) {
        open(backend);
        long a1 = enqueue("A1", "OA");
        long b1 = enqueue("B1", "OB");
        long c1 = enqueue("C1", "OC");
        long a2 = enqueue("A2", "OA");
        long b2 = enqueue("B2", "OB");
        long c2 = enqueue("C2", "OC");
        assertThat(claim(ledger, 10, "n1")).containsExactly(a1, b1, c1);
        Instant later = Instant.now().plus(Duration.ofHours(1));

        ledger.recordAnswers(List.of(OutboxAnswer.delivered(a1, "AA"), OutboxAnswer.retry(b1, "AE 207", later),
                OutboxAnswer.park(c1, "AR 103: Table value not found")), "n1");

        assertThat(ledger.undelivered()).extracting(OutboxItem::id, OutboxItem::status, OutboxItem::attempts,
                        OutboxItem::lastError)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(b1, OutboxStatus.PENDING, 1, "AE 207"),
                        org.assertj.core.groups.Tuple.tuple(c1, OutboxStatus.PARKED, 1,
                                "AR 103: Table value not found"),
                        org.assertj.core.groups.Tuple.tuple(a2, OutboxStatus.PENDING, 0, null),
                        org.assertj.core.groups.Tuple.tuple(b2, OutboxStatus.PENDING, 0, null),
                        org.assertj.core.groups.Tuple.tuple(c2, OutboxStatus.PENDING, 0, null));
        assertThat(outboxStatus(a1)).isEqualTo("DELIVERED");
        assertThat(db.string("SELECT last_error FROM outbox WHERE id = ?", a1)).isEqualTo("answered AA");
        // Only A's next DFT is free: B1 waits for its retry, C1 is parked, and each holds back its order.
        assertThat(claim(ledger, 10, "n1")).containsExactly(a2);
        assertThat(claim(ledger, 10, "n1")).isEmpty();
    }

    @OnBothDatabases
    void recordedAnswersOfANodeThatLostItsClaimNeitherRetryNorParkButDeliveryCounts(TestDatabase.Backend backend) {
        open(backend);
        long retried = enqueue("R1", "O1");
        long parked = enqueue("P1", "O2");
        long delivered = enqueue("D1", "O3");
        assertThat(ledger.claimDue(10, Duration.ofMillis(1), "n1")).hasSize(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> ledger.claimDue(10, Duration.ofMinutes(5), "n2").size() == 3);

        ledger.recordAnswers(List.of(OutboxAnswer.retry(retried, "late failure", Instant.now()),
                OutboxAnswer.park(parked, "late refusal"), OutboxAnswer.delivered(delivered, "CA")), "n1");

        // n2 holds the first two: n1's late answers must not clear its claim (it could then be sent twice)...
        assertThat(db.count("SELECT COUNT(*) FROM outbox WHERE status = 'PENDING' AND attempts = 0"
                + " AND claimed_by = 'n2' AND claimed_until IS NOT NULL")).isEqualTo(2);
        // ...but billing's CA for the third is billing's word, whoever holds the claim now.
        assertThat(outboxStatus(delivered)).isEqualTo("DELIVERED");
        assertThat(db.string("SELECT last_error FROM outbox WHERE id = ?", delivered)).isEqualTo("answered CA");
    }
}
