package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** {@link Ledger#write} through the group committer: shared commits, but every caller gets its own result or error. */
class GroupCommitterTest extends LedgerTestSupport {

    private record Written(String controlId, long id) {
    }

    @OnBothDatabases
    void manyConcurrentWritersEachGetTheirOwnResult(TestDatabase.Backend backend) throws Exception {
        open(backend);
        int threads = 16;
        int perThread = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<Written>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                List<Written> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    String controlId = "T" + thread + "-" + i;
                    Written w = ledger.write((LedgerSession s) -> {
                        long id = s.inbound().record(inbound("LIS", controlId, "h"), Instant.now());
                        return new Written(controlId, id);
                    });
                    mine.add(w);
                }
                return mine;
            }));
        }
        List<Written> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Written> mine = futures.get(t).get(120, TimeUnit.SECONDS);
            for (int i = 0; i < perThread; i++) {
                assertThat(mine.get(i).controlId()).isEqualTo("T" + t + "-" + i);
            }
            all.addAll(mine);
        }
        pool.shutdown();

        Map<String, Long> stored = new HashMap<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT control_id, id FROM inbound_message")) {
            while (rs.next()) {
                stored.put(rs.getString(1), rs.getLong(2));
            }
        }
        Set<Long> ids = new HashSet<>();
        for (Written w : all) {
            ids.add(w.id());
            assertThat(stored.get(w.controlId())).as(w.controlId()).isEqualTo(w.id());
        }
        assertThat(ids).hasSize(threads * perThread);
        assertThat(db.count("SELECT COUNT(*) FROM inbound_message")).isEqualTo(threads * perThread);
    }

    /**
     * Holds the writer in one job while five others queue up, so they run in one shared transaction: the two that
     * fail (an SQL error, and an exception after a successful insert) are rolled back to their savepoints alone.
     */
    @OnBothDatabases
    void aFailingJobRollsBackAloneWithinItsBatch(TestDatabase.Backend backend) throws Exception {
        open(backend);
        CountDownLatch blockerRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        Future<Long> blocker = holdWriter(pool, blockerRunning, release);
        assertThat(blockerRunning.await(30, TimeUnit.SECONDS)).isTrue();

        List<Thread> submitters = java.util.Collections.synchronizedList(new ArrayList<>());
        Future<Long> ok1 = pool.submit(() -> {
            submitters.add(Thread.currentThread());
            return ledger.write((LedgerSession s) -> s.inbound().record(inbound("LIS", "OK1", "h"), Instant.now()));
        });
        Future<Long> badSql = pool.submit(() -> {
            submitters.add(Thread.currentThread());
            return ledger.write((LedgerSession s) -> {
                s.inbound().record(inbound("LIS", "BAD-SQL", "h"), Instant.now());
                return s.inbound().record(inbound("LIS", "BAD-SQL", "h"), Instant.now());
            });
        });
        Future<Long> badRuntime = pool.submit(() -> {
            submitters.add(Thread.currentThread());
            return ledger.write((LedgerSession s) -> {
                s.inbound().record(inbound("LIS", "BAD-RT", "h"), Instant.now());
                throw new IllegalStateException("decision failed");
            });
        });
        Future<Long> ok2 = pool.submit(() -> {
            submitters.add(Thread.currentThread());
            return ledger.write((LedgerSession s) -> {
                long id = s.inbound().record(inbound("LIS", "OK2", "h"), Instant.now());
                s.outbox().enqueue("DFT-OK2", "O2", new byte[] {1}, Instant.now());
                return id;
            });
        });
        Future<Long> ok3 = pool.submit(() -> {
            submitters.add(Thread.currentThread());
            return ledger.write((LedgerSession s) -> s.inbound().record(inbound("LIS", "OK3", "h"), Instant.now()));
        });
        // All five are queued behind the blocker (waiting for their results) before the writer moves on.
        await().atMost(Duration.ofSeconds(30)).until(() -> submitters.size() == 5
                && submitters.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                        || t.getState() == Thread.State.TIMED_WAITING));
        release.countDown();

        assertThat(blocker.get(30, TimeUnit.SECONDS)).isPositive();
        long id1 = ok1.get(30, TimeUnit.SECONDS);
        long id2 = ok2.get(30, TimeUnit.SECONDS);
        long id3 = ok3.get(30, TimeUnit.SECONDS);
        assertThat(causeOf(badSql)).isInstanceOf(LedgerException.class)
                .satisfies(e -> assertThat(sqlCause(e)).get().extracting(SQLException::getSQLState)
                        .isEqualTo("23505"));
        assertThat(causeOf(badRuntime)).isInstanceOf(IllegalStateException.class).hasMessage("decision failed");
        pool.shutdown();

        assertThat(db.column("SELECT control_id FROM inbound_message ORDER BY control_id"))
                .containsExactly("BLOCKER", "OK1", "OK2", "OK3");
        assertThat(db.count("SELECT id FROM inbound_message WHERE control_id = 'OK1'")).isEqualTo(id1);
        assertThat(db.count("SELECT id FROM inbound_message WHERE control_id = 'OK2'")).isEqualTo(id2);
        assertThat(db.count("SELECT id FROM inbound_message WHERE control_id = 'OK3'")).isEqualTo(id3);
        assertThat(db.count("SELECT COUNT(*) FROM outbox WHERE control_id = 'DFT-OK2'")).isEqualTo(1);

        // The writer carries on normally afterwards.
        assertThat(message("AFTER")).isPositive();
    }

    /**
     * On PostgreSQL a write nobody reads back is held back and sent with the next statement, which may be another
     * job's ({@link DeferredWrites}): its failure surfaces there, or at the commit. Whatever the database, the job
     * that made the write fails alone with its own error, and the jobs around it in the same batch commit.
     */
    @OnBothDatabases
    void aHeldBackWriteThatFailsFailsItsOwnJobOnly(TestDatabase.Backend backend) throws Exception {
        open(backend);
        ledger.write((LedgerSession s) -> s.outbox().enqueue("DFT-DUP", "O1", new byte[] {1}, Instant.now()));
        CountDownLatch blockerRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Future<Long> blocker = holdWriter(pool, blockerRunning, release);
        assertThat(blockerRunning.await(30, TimeUnit.SECONDS)).isTrue();
        List<Thread> submitters = java.util.Collections.synchronizedList(new ArrayList<>());
        Future<Long> duplicate = pool.submit(() -> {
            submitters.add(Thread.currentThread());
            return ledger.write((LedgerSession s) -> {
                s.inbound().history("LIS", "DUP", "h");
                long id = s.inbound().record(inbound("LIS", "DUP", "h"), Instant.now());
                s.outbox().enqueueDocument("DFT-DUP", "O2", java.util.Map.of("dft", 2), Instant.now()); // fails: the ID is taken
                return id;
            });
        });
        // Queued (waiting for its result) before the next job is submitted: the two run in this order.
        await().atMost(Duration.ofSeconds(30)).until(() -> submitters.size() == 1
                && (submitters.get(0).getState() == Thread.State.WAITING
                        || submitters.get(0).getState() == Thread.State.TIMED_WAITING));
        Future<Boolean> next = pool.submit(() -> {
            submitters.add(Thread.currentThread());
            return ledger.write((LedgerSession s) -> {
                // Its first statement is the one the held-back insert travels with on PostgreSQL.
                boolean seen = s.inbound().history("LIS", "NEXT", "h").controlIdSeen();
                s.inbound().record(inbound("LIS", "NEXT", "h"), Instant.now());
                return seen;
            });
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> submitters.size() == 2
                && submitters.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                        || t.getState() == Thread.State.TIMED_WAITING));
        release.countDown();

        assertThat(blocker.get(30, TimeUnit.SECONDS)).isPositive();
        assertThat(next.get(30, TimeUnit.SECONDS)).isFalse();
        assertThat(causeOf(duplicate)).isInstanceOf(LedgerException.class)
                .satisfies(e -> assertThat(sqlCause(e)).get().extracting(SQLException::getSQLState)
                        .isEqualTo("23505"));
        pool.shutdown();
        assertThat(db.column("SELECT control_id FROM inbound_message ORDER BY control_id"))
                .containsExactly("BLOCKER", "NEXT");
        assertThat(db.count("SELECT COUNT(*) FROM outbox WHERE control_id = 'DFT-DUP'")).isEqualTo(1);
        assertThat(db.count("SELECT COUNT(*) FROM outbox WHERE order_key = 'O2'")).isZero();
    }

    /**
     * A job that throws an {@link Error} (an assertion, a stack overflow, a class that fails to initialise) must fail
     * alone like any other failing job; it must not kill the single writer thread, which would leave this caller and
     * every later one waiting forever for an answer.
     */
    @OnBothDatabases
    void aJobThrowingAnErrorFailsAloneAndTheWriterCarriesOn(TestDatabase.Backend backend) throws Exception {
        open(backend);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<Long> failing = pool.submit(() -> ledger.write((LedgerSession s) -> {
            s.inbound().record(inbound("LIS", "ERR", "h"), Instant.now());
            throw new AssertionError("broken invariant");
        }));
        Throwable cause = causeOf(failing);
        assertThat(cause).isInstanceOf(LedgerException.class).hasRootCauseInstanceOf(AssertionError.class);

        Future<Long> next = pool.submit(() -> message("AFTER-ERROR"));
        assertThat(next.get(30, TimeUnit.SECONDS)).isPositive();
        pool.shutdown();
        assertThat(db.column("SELECT control_id FROM inbound_message")).containsExactly("AFTER-ERROR");
    }

    private static Throwable causeOf(Future<?> future) throws InterruptedException {
        try {
            future.get(30, TimeUnit.SECONDS);
            throw new AssertionError("expected the write to fail");
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("write did not finish", e);
        }
    }

    /**
     * A job that holds the (single) writer until {@code release}: the jobs submitted meanwhile queue up and run as
     * one batch after it.
     */
    private Future<Long> holdWriter(ExecutorService pool, CountDownLatch running, CountDownLatch release) {
        return pool.submit(() -> ledger.write((LedgerSession s) -> {
            running.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return s.inbound().record(inbound("LIS", "BLOCKER", "h"), Instant.now());
        }));
    }
}
