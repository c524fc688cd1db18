package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The patient locks are the ledger's own: a lock on the same patient held by another ledger (another schema of the
 * same database) does not hold up a write, one held in this ledger's lock space does until it is released.
 */
class PatientLocksTest extends LedgerTestSupport {

    /**
     * Two ledgers in two schemas of one database (advisory locks are database-wide): while the other ledger's writer
     * holds its batch open with patient PAT-1 locked, this ledger still writes for PAT-1. With one lock space for
     * every schema this write waited for the other ledger's commit.
     */
    @OnPostgres
    void aPatientLockOfAnotherLedgerDoesNotHoldUpThisOne(TestDatabase.Backend backend) throws Exception {
        open(backend);
        CountDownLatch otherLocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TestDatabase otherDb = TestDatabase.create(backend, dir.resolve("other"));
             JdbcLedger other = otherDb.open()) {
            CompletableFuture<Long> held = CompletableFuture.supplyAsync(() -> other.write("PAT-1", s -> {
                otherLocked.countDown();
                awaitLatch(release);
                return s.inbound().record(inbound("LIS", "OTHER-LEDGER", "h"), Instant.now());
            }));
            assertThat(otherLocked.await(30, TimeUnit.SECONDS)).isTrue();
            long id = ledger.write("PAT-1", s -> s.inbound().record(inbound("LIS", "THIS-LEDGER", "h"), Instant.now()));
            assertThat(id).isPositive();
            assertThat(held).isNotDone();
            release.countDown();
            assertThat(held.get(30, TimeUnit.SECONDS)).isPositive();
            assertThat(otherDb.column("SELECT control_id FROM inbound_message")).containsExactly("OTHER-LEDGER");
        }
        assertThat(db.column("SELECT control_id FROM inbound_message")).containsExactly("THIS-LEDGER");
    }

    @OnPostgres
    void aPatientLockOfThisLedgerHoldsUpItsWritesUntilReleased(TestDatabase.Backend backend) throws Exception {
        open(backend);
        try (Connection other = db.connect()) {
            int space = PatientLocks.namespace(other.getSchema());
            other.setAutoCommit(false);
            hold(other, space, "PAT-1");
            CompletableFuture<Long> write = CompletableFuture.supplyAsync(() -> ledger.write("PAT-1",
                    s -> s.inbound().record(inbound("LIS", "SAME-SCHEMA", "h"), Instant.now())));
            // The writer's session waits for the lock this connection holds (pg_locks shows it not granted).
            await().atMost(Duration.ofSeconds(30)).until(() -> db.count("SELECT count(*) FROM pg_locks"
                    + " WHERE locktype = 'advisory' AND NOT granted AND classid::bigint = ?",
                    Integer.toUnsignedLong(space)) == 1);
            assertThat(write).isNotDone();
            assertThat(db.column("SELECT control_id FROM inbound_message")).isEmpty();
            other.rollback();
            assertThat(write.get(30, TimeUnit.SECONDS)).isPositive();
        }
        assertThat(db.column("SELECT control_id FROM inbound_message")).containsExactly("SAME-SCHEMA");
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(60, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void hold(Connection c, int space, String patient) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
            ps.setInt(1, space);
            ps.setInt(2, PatientLocks.key(patient));
            ps.executeQuery().close();
        }
    }
}
