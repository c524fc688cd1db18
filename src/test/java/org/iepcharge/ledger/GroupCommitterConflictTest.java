package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * A batch that loses a PostgreSQL deadlock (40P01) or serialization failure (40001) is rolled back whole and run
 * again from its first job: every job of it commits exactly once, and no caller sees the conflict.
 */
class GroupCommitterConflictTest extends LedgerTestSupport {

    /**
     * Two nodes, each with a batch of two jobs: a plain insert, then a job that locks the two probe rows in the
     * opposite order of the other node's. PostgreSQL breaks the deadlock by aborting one transaction; that node's
     * whole batch runs again (its insert too — a partial retry would hit the unique key of the insert it kept).
     */
    @OnPostgres
    void aBatchThatLosesADeadlockRunsAgainWholeNothingLostOrDoubled(TestDatabase.Backend backend) throws Exception {
        open(backend);
        JdbcLedger node2 = otherNode();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE conflict_probe (id INT PRIMARY KEY, n INT NOT NULL)");
            st.execute("INSERT INTO conflict_probe VALUES (1, 0), (2, 0)");
        }
        CountDownLatch firstLocked = new CountDownLatch(1);
        CountDownLatch secondLocked = new CountDownLatch(1);
        AtomicInteger runs1 = new AtomicInteger();
        AtomicInteger runs2 = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Long>> results = new ArrayList<>();
        results.addAll(batch(pool, ledger, "N1", lockInOrder(1, 2, runs1, firstLocked, secondLocked)));
        results.addAll(batch(pool, node2, "N2", lockInOrder(2, 1, runs2, secondLocked, firstLocked)));

        for (Future<Long> r : results) {
            assertThat(r.get(60, TimeUnit.SECONDS)).isPositive();
        }
        pool.shutdown();
        // One of the two lost the deadlock and ran again; the other ran once.
        assertThat(runs1.get() + runs2.get()).as("runs of the two locking jobs").isEqualTo(3);
        assertThat(List.of(runs1.get(), runs2.get())).containsExactlyInAnyOrder(1, 2);
        assertThat(db.column("SELECT control_id FROM inbound_message ORDER BY control_id"))
                .containsExactly("N1-HOLD", "N1-LOCKS", "N1-PLAIN", "N2-HOLD", "N2-LOCKS", "N2-PLAIN");
        // Each node's committed run added one to each row: 2, not 3 (the aborted run left nothing behind).
        assertThat(db.count("SELECT n FROM conflict_probe WHERE id = 1")).isEqualTo(2);
        assertThat(db.count("SELECT n FROM conflict_probe WHERE id = 2")).isEqualTo(2);
    }

    /** A job failing with 40001 on its first run: the batch, its other job included, commits once on the rerun. */
    @OnPostgres
    void aSerializationFailureRerunsTheBatchWhole(TestDatabase.Backend backend) throws Exception {
        open(backend);
        AtomicInteger runs = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<Long>> results = batch(pool, ledger, "S", s -> {
            long id = s.inbound().record(inbound("LIS", "S-LOCKS", "h"), Instant.now());
            if (runs.incrementAndGet() == 1) {
                throw new PSQLException("could not serialize access", PSQLState.SERIALIZATION_FAILURE);
            }
            return id;
        });
        for (Future<Long> r : results) {
            assertThat(r.get(60, TimeUnit.SECONDS)).isPositive();
        }
        pool.shutdown();
        assertThat(runs.get()).isEqualTo(2);
        assertThat(db.column("SELECT control_id FROM inbound_message ORDER BY control_id"))
                .containsExactly("S-HOLD", "S-LOCKS", "S-PLAIN");
    }

    /** Records an inbound row, then updates the probe rows {@code first} and {@code second} in that order. */
    private static LedgerWork<Long> lockInOrder(int first, int second, AtomicInteger runs, CountDownLatch mine,
                                                CountDownLatch theirs) {
        return s -> {
            String node = first == 1 ? "N1" : "N2";
            long id = s.inbound().record(inbound("LIS", node + "-LOCKS", "h"), Instant.now());
            try (Statement st = s.connection().createStatement()) {
                st.executeUpdate("UPDATE conflict_probe SET n = n + 1 WHERE id = " + first);
                if (runs.incrementAndGet() == 1) {
                    // Both hold their first row before either asks for its second: a deadlock, not a wait.
                    mine.countDown();
                    awaitLatch(theirs);
                }
                st.executeUpdate("UPDATE conflict_probe SET n = n + 1 WHERE id = " + second);
            }
            return id;
        };
    }

    /**
     * Queues {@code prefix}-PLAIN and then {@code work} behind a job that holds {@code on}'s writer, so that the two
     * run in one batch once the holder is released; returns the results of holder, plain job and work.
     */
    private List<Future<Long>> batch(ExecutorService pool, JdbcLedger on, String prefix, LedgerWork<Long> work)
            throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<Long> holder = pool.submit(() -> on.write((LedgerSession s) -> {
            holding.countDown();
            awaitLatch(release);
            return s.inbound().record(inbound("HOLD", prefix + "-HOLD", "h"), Instant.now());
        }));
        assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
        List<Thread> submitters = java.util.Collections.synchronizedList(new ArrayList<>());
        Future<Long> plain = pool.submit(() -> {
            submitters.add(Thread.currentThread());
            return on.write((LedgerSession s) -> s.inbound().record(inbound("LIS", prefix + "-PLAIN", "h"),
                    Instant.now()));
        });
        awaitWaiting(submitters, 1);
        Future<Long> worked = pool.submit(() -> {
            submitters.add(Thread.currentThread());
            return on.write(work);
        });
        awaitWaiting(submitters, 2);
        release.countDown();
        return List.of(holder, plain, worked);
    }

    private static void awaitWaiting(List<Thread> submitters, int n) {
        await().atMost(Duration.ofSeconds(30)).until(() -> submitters.size() == n
                && submitters.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                        || t.getState() == Thread.State.TIMED_WAITING));
    }

    private static void awaitLatch(CountDownLatch latch) throws SQLException {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new SQLException("the other node's job never took its first lock");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", e);
        }
    }
}
