package org.iepcharge.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer thread runs queued work in shared transactions: a durable commit (a WAL write, or an fsync with
 * durability=power) costs about as much as the work of several messages, so committing them together is what makes a
 * durable ACK fast. Each caller waits for the commit that includes its own work. A failing piece of work is rolled
 * back to its savepoint and fails alone; a failing commit fails the whole batch, and nothing of it is acknowledged.
 */
final class GroupCommitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);
    private static final int MAX_BATCH = 128;
    private static final int COMMIT_WAIT_SECONDS = 30;

    /** {@code lockKey}: the patient (partition) whose decisions the work makes; null when it makes none. */
    private record Job<T>(String lockKey, LedgerWork<T> work, CompletableFuture<T> result, long[] stamps) {
    }

    /** How often a batch that lost a PostgreSQL deadlock or serialization conflict is run again from the start. */
    private static final int CONFLICT_RETRIES = 5;

    private final BlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>(10_000);
    private final Supplier<Connection> connections;
    private final SqlDialect dialect;
    private final Thread writer;
    private volatile boolean running = true;
    private Connection connection;
    private StatementCache statements;
    /** PostgreSQL: the first advisory lock key of this ledger's schema ({@link PatientLocks#namespace}). */
    private int lockSpace;
    private final StatementCounts counts;
    /** PostgreSQL: the batch's writes held back to travel with its next statement ({@link DeferredWrites}). */
    private final DeferredWrites deferred;
    /** PostgreSQL: DFT and transaction IDs drawn ahead for this writer's captures ({@link IdReserve}). */
    private final IdReserve ids;
    /**
     * Held by the writer for each batch, BEGIN to COMMIT; {@link #betweenBatches} takes it to run something with no
     * transaction of the writer's open (the WAL checkpointer's last pass). Fair, so that a waiting pause comes before
     * the writer's next batch instead of losing the lock to it batch after batch.
     */
    private final ReentrantLock batchGate = new ReentrantLock(true);

    GroupCommitter(Supplier<Connection> connections, SqlDialect dialect) {
        this(connections, dialect, "ledger-writer", new StatementCounts());
    }

    GroupCommitter(Supplier<Connection> connections, SqlDialect dialect, String threadName, StatementCounts counts) {
        this.connections = connections;
        this.dialect = dialect;
        this.counts = counts;
        this.deferred = dialect == SqlDialect.POSTGRESQL ? new DeferredWrites() : null;
        this.ids = dialect == SqlDialect.POSTGRESQL ? new IdReserve() : null;
        this.writer = new Thread(this::loop, threadName);
        this.writer.setDaemon(true);
        this.writer.start();
    }

    <T> T submit(LedgerWork<T> work) {
        return submit(null, work);
    }

    /**
     * Runs {@code work} in the next batch; on PostgreSQL the batch holds the transaction lock of {@code lockKey}
     * (see {@link PatientLocks}) before any of its work runs.
     */
    <T> T submit(String lockKey, LedgerWork<T> work) {
        if (!running) {
            throw new LedgerException("ledger is closed", null);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        // {queued, batch started, committed}: filled only for AckStages (a debug facility, off by default).
        // Only an inbound message's job (its route thread stamped the parse), not the outbox's bookkeeping.
        long[] stamps = AckStages.ENABLED ? AckStages.queued(System.nanoTime()) : null;
        try {
            if (!queue.offer(new Job<>(lockKey, work, result, stamps), 30, TimeUnit.SECONDS)) {
                throw new LedgerException("ledger writer queue is full", null);
            }
            T value = result.get(COMMIT_WAIT_SECONDS, TimeUnit.SECONDS);
            if (stamps != null && stamps[2] != 0) {
                AckStages.record(AckStages.Stage.QUEUE_WAIT, stamps[1] - stamps[0]);
                AckStages.record(AckStages.Stage.BATCH, stamps[2] - stamps[1]);
                long woke = System.nanoTime();
                AckStages.record(AckStages.Stage.WAKE, woke - stamps[2]);
                AckStages.woke(woke);
            }
            return value;
        } catch (java.util.concurrent.TimeoutException e) {
            // The work may still commit later; the LIS gets AR 207 and resends, and the resend finds it stored.
            throw new LedgerException("no ledger commit within " + COMMIT_WAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerException("interrupted while waiting for the ledger", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new LedgerException("ledger write failed", cause);
        }
    }

    private void loop() {
        List<Job<?>> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Job<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                batchGate.lock();
                try {
                    // Drained with the gate held: what arrived while a pause ran joins this batch.
                    queue.drainTo(batch, MAX_BATCH - 1);
                    runBatch(batch);
                } finally {
                    batchGate.unlock();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // Whatever happens, every waiting caller gets an answer and the writer keeps serving.
                LOG.error("ledger writer: unexpected {}", e.getClass().getSimpleName());
                discardConnection();
                LedgerException failure = new LedgerException("ledger writer failed", e);
                batch.forEach(j -> j.result().completeExceptionally(failure));
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Runs {@code pass} between two batches: the writer finishes the batch it is running, then waits until
     * {@code pass} returns before it begins the next (see {@link WalCheckpointer}).
     */
    WalCheckpointer.Pass betweenBatches(WalCheckpointer.PassCall pass) throws SQLException {
        batchGate.lock();
        try {
            return pass.run();
        } finally {
            batchGate.unlock();
        }
    }

    /** Told of each committed batch: its size and the time from its first statement to the end of the commit. */
    interface CommitObserver {
        void committed(int batchSize, long nanos);
    }

    private volatile CommitObserver observer;

    void observe(CommitObserver o) {
        this.observer = o;
    }

    /**
     * A statement of the writer's own (savepoints), counted with the work's. Prepared once and kept with the work's
     * statements: {@code Statement.execute} compiled "SAVEPOINT job" and its RELEASE again for every job, two of the
     * ≈ 9 statements per message on the one writer thread (WriterProbe).
     */
    private void execute(String sql) throws SQLException {
        statements.prepare(sql, Statement.NO_GENERATED_KEYS).execute(); // prepare() counts it
    }

    private void runBatch(List<Job<?>> batch) {
        // A batch first runs without a savepoint per job. On PostgreSQL each savepoint and its release is a round trip
        // to the server (two of the ~9.6 statements per message, measured with the writer probe), and on a loaded
        // machine the round trips, not the server's work, are what a batch waits for. On SQLite they are two of the
        // ~8.7 statements per message on the one writer thread (BENCHMARKS.md, "Writer, fourth pass"). Work fails
        // only by exception (a unique-key race, a bug), and an exception aborts a PostgreSQL transaction anyway: the
        // batch is then rolled back whole, nothing of it acknowledged, and run again with savepoints, where the
        // failing work fails alone. Work is written to be run again (conflicts below do the same; ChargeCaptureTest).
        boolean savepoints = false;
        for (int attempt = 1; ; attempt++) {
            try {
                runBatchOnce(batch, savepoints);
                return;
            } catch (WithSavepoints e) {
                discardTransaction();
                savepoints = true;
                attempt--;
            } catch (PatientLocks.Conflict e) {
                // Rolled back whole, nothing of it acknowledged: running it again decides on what committed since.
                discardConnection();
                if (attempt > CONFLICT_RETRIES) {
                    LedgerException failure = new LedgerException("ledger conflict persisted", e.getCause());
                    batch.forEach(j -> j.result().completeExceptionally(failure));
                    return;
                }
                LOG.info("ledger batch of {} lost a database conflict ({}): run again", batch.size(),
                        e.getCause().getSQLState());
            }
        }
    }

    /** Thrown out of a batch run without savepoints when one of its jobs failed: run it again with them. */
    private static final class WithSavepoints extends RuntimeException {
        WithSavepoints() {
            super(null, null, false, false);
        }
    }

    private void runBatchOnce(List<Job<?>> batch, boolean savepoints) {
        List<Runnable> completions = new ArrayList<>(batch.size());
        if (deferred != null) {
            deferred.clear(); // a batch run again starts with nothing held from the rolled-back run
        }
        try {
            long started = System.nanoTime();
            Connection c = connection();
            dialect.begin(c, statements);
            if (dialect == SqlDialect.POSTGRESQL) {
                // No round trip of its own: held back, the locks go ahead of the first job's first statement, and
                // pgjdbc sends BEGIN ahead of both.
                PatientLocks.lockAllAhead(c, deferred, counts, lockSpace, batch.stream().map(Job::lockKey).toList());
                if (savepoints) {
                    // Taken before the first savepoint, not inside a job's: sent now, alone.
                    deferred.flush(statements);
                }
            } else {
                counts.executed();
            }
            for (Job<?> job : batch) {
                completions.add(savepoints ? runOne(c, job) : runBare(c, job));
            }
            if (deferred == null || savepoints || !commitWithDeferred()) {
                dialect.commit(c, statements);
                counts.executed();
            }
            CommitObserver o = observer;
            if (o != null) {
                o.committed(batch.size(), System.nanoTime() - started);
            }
            if (AckStages.ENABLED) {
                long committed = System.nanoTime();
                for (Job<?> job : batch) {
                    if (job.stamps() != null) {
                        job.stamps()[1] = started;
                        job.stamps()[2] = committed;
                        AckStages.record(AckStages.Stage.BATCH_SIZE, batch.size());
                    }
                }
            }
            completions.forEach(Runnable::run);
        } catch (PatientLocks.Conflict | WithSavepoints e) {
            throw e;
        } catch (SQLException | RuntimeException | Error e) {
            if (dialect == SqlDialect.POSTGRESQL && PatientLocks.isConflict(e)) {
                throw new PatientLocks.Conflict(PatientLocks.sqlCause(e));
            }
            LOG.warn("ledger commit failed for a batch of {} ({}): none of it is acknowledged", batch.size(),
                    e.getClass().getSimpleName());
            discardConnection();
            LedgerException failure = new LedgerException("ledger commit failed", e);
            batch.forEach(j -> j.result().completeExceptionally(failure));
        }
    }

    /** Runs one job with no savepoint of its own (see {@link #runBatch}); a failure sends the batch to savepoints. */
    private <T> Runnable runBare(Connection c, Job<T> job) {
        T value;
        try {
            value = job.work().apply(new LedgerSession(c, dialect, statements, deferred, ids));
        } catch (SQLException | RuntimeException | Error e) {
            if (PatientLocks.isConflict(e)) {
                throw new PatientLocks.Conflict(PatientLocks.sqlCause(e));
            }
            throw new WithSavepoints();
        }
        if (deferred != null && deferred.failed()) {
            // Another job's held-back write failed in this job's round trip and the job went on regardless: the
            // transaction is aborted all the same.
            throw new WithSavepoints();
        }
        return () -> job.result().complete(value);
    }

    /**
     * Sends the writes still held back with the COMMIT, in one round trip; false when none are held (commit as
     * usual). When a write fails, which job's it was is not known here: the batch then runs again with savepoints,
     * as when a job fails. A lost connection is a failed commit, as with {@link SqlDialect#commit}: whether the
     * COMMIT ran is unknown, and the batch is not run again.
     */
    private boolean commitWithDeferred() throws SQLException {
        try {
            return deferred.flushWithCommit(statements);
        } catch (SQLException e) {
            if (PatientLocks.isConflict(e)) {
                throw new PatientLocks.Conflict(e);
            }
            if (e.getSQLState() == null || e.getSQLState().startsWith("08") || connection.isClosed()) {
                throw e;
            }
            throw new WithSavepoints();
        }
    }

    /** Runs one job under a savepoint; returns what completes its future once the batch has committed. */
    private <T> Runnable runOne(Connection c, Job<T> job) throws SQLException {
        // Savepoints in SQL, the same on both databases: the SQLite driver's own savepoints assume its autocommit-off
        // transaction handling, which the SQLite dialect does not use (SqlDialect.begin).
        execute("SAVEPOINT job");
        try {
            T value = job.work().apply(new LedgerSession(c, dialect, statements, deferred, ids));
            if (deferred != null) {
                // The job's held-back writes are sent under its own savepoint: a write that fails fails its job.
                deferred.flush(statements);
                if (deferred.failed()) {
                    throw new LedgerException("a held-back write failed", null);
                }
            }
            execute("RELEASE SAVEPOINT job");
            return () -> job.result().complete(value);
        } catch (SQLException | RuntimeException | Error e) {
            if (dialect == SqlDialect.POSTGRESQL && PatientLocks.isConflict(e)) {
                // A deadlock or serialization failure is the batch's, not this work's: the whole batch runs again.
                throw new PatientLocks.Conflict(PatientLocks.sqlCause(e));
            }
            // An Error too: uncaught, it would end the one writer thread and every caller would wait forever.
            if (deferred != null) {
                deferred.clear(); // the failing job's writes not yet sent go with its savepoint
            }
            execute("ROLLBACK TO SAVEPOINT job");
            execute("RELEASE SAVEPOINT job");
            Throwable failure = e instanceof SQLException sql ? dialect.standardized(sql) : e;
            return () -> job.result().completeExceptionally(failure instanceof RuntimeException re ? re
                    : new LedgerException("ledger work failed", failure));
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = connections.get();
            dialect.prepareWriter(connection);
            statements = new StatementCache(connection, counts);
            if (dialect == SqlDialect.POSTGRESQL) {
                lockSpace = PatientLocks.namespace(connection.getSchema());
            }
        }
        return connection;
    }

    /** Ends the open transaction, keeping the connection (and its prepared statements) when that works. */
    private void discardTransaction() {
        try {
            dialect.rollback(connection);
            counts.executed();
        } catch (SQLException | RuntimeException e) {
            discardConnection();
        }
    }

    private void discardConnection() {
        if (statements != null) {
            statements.close();
            statements = null;
        }
        if (connection != null) {
            try {
                dialect.rollback(connection);
            } catch (SQLException ignored) {
                // Closing ends the transaction anyway.
            }
            try {
                connection.close();
            } catch (SQLException ignored) {
                // The connection is being thrown away.
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        discardConnection();
    }
}
