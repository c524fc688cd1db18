package org.iepcharge.ledger;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the ledger's writers sent to the database: statements executed (transaction control and savepoints
 * included), the round trips they took (on PostgreSQL, writes held back by {@link DeferredWrites} travel with the
 * next statement: several statements, one round trip) and statements prepared (a cache miss; once warm, none per
 * message). For the bench's writer probe and the metrics: the writer thread is the engine's serial bottleneck, and a
 * statement is its unit of work.
 */
public final class StatementCounts {
    private final LongAdder executed = new LongAdder();
    private final LongAdder prepared = new LongAdder();
    private final LongAdder deferred = new LongAdder();

    /** A statement sent in a round trip of its own (with any writes held back ahead of it). */
    void executed() {
        executed.increment();
    }

    /** A write held back, to be sent with the next statement: a statement, no round trip of its own. */
    void deferred() {
        deferred.increment();
    }

    void prepared() {
        prepared.increment();
    }

    /** A held-back write sent alone after all (before a commit): it was counted by {@link #executed} too. */
    void sentAlone() {
        deferred.decrement();
    }

    /** Statements executed so far (held-back writes included). */
    public long executedCount() {
        return executed.sum() + deferred.sum();
    }

    /** Round trips to the database so far. */
    public long roundTripCount() {
        return executed.sum();
    }

    /** Statements prepared so far. */
    public long preparedCount() {
        return prepared.sum();
    }
}
