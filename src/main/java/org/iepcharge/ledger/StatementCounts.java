package org.iepcharge.ledger;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the ledger's writers sent to the database: statements executed (every round trip, transaction control and
 * savepoints included) and statements prepared (a cache miss; once warm, none per message). For the bench's writer
 * probe and the metrics: the writer thread is the engine's serial bottleneck, and a statement is its unit of work.
 */
public final class StatementCounts {
    private final LongAdder executed = new LongAdder();
    private final LongAdder prepared = new LongAdder();

    void executed() {
        executed.increment();
    }

    void prepared() {
        prepared.increment();
    }

    /** Statements executed so far. */
    public long executedCount() {
        return executed.sum();
    }

    /** Statements prepared so far. */
    public long preparedCount() {
        return prepared.sum();
    }
}
