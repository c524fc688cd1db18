package org.iepcharge.camel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.iepcharge.ledger.Ledger;
import org.iepcharge.ledger.OutboxAnswer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records billing's answers in the ledger behind the senders' backs: a sender hands an answer over and sends its next
 * DFT while one thread here commits the answers that have gathered, many per commit ({@link Ledger#recordAnswers}).
 * Waiting for the commit of each answer before the next send capped delivery at one DFT per commit.
 *
 * <p>Nothing is lost by not waiting. Until its answer commits a DFT stays PENDING and claimed: the claim query skips
 * it, and every later DFT of its order (an earlier sibling still PENDING), so no DFT overtakes it. A crash before the
 * commit loses only the record: after the restart the DFT is sent again under its fixed MSH-10 and FT1-2 — the DFTs in
 * flight, bounded by the queue's capacity (a sender waits when it is full). A DFT is recorded DELIVERED only for
 * billing's AA/CA, which the sender classified before handing the answer over.
 */
final class AnswerRecorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnswerRecorder.class);
    /** Answers per commit, at most: a commit of this many conditional updates is still a few milliseconds. */
    private static final int MAX_BATCH = 512;
    private static final Duration FIRST_PAUSE = Duration.ofMillis(100);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(5);

    private final Ledger ledger;
    private final String node;
    private final BlockingQueue<OutboxAnswer> queue;
    private final Thread thread;
    private volatile boolean running = true;

    AnswerRecorder(Ledger ledger, String node, int capacity) {
        this.ledger = ledger;
        this.node = node;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::loop, "outbox-answers");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues one answer; waits while the queue is full (the ledger is behind), so the DFTs in flight stay bounded. */
    void record(OutboxAnswer answer) {
        if (!running) {
            throw new IllegalStateException("outbox answers are no longer recorded (engine stopping)");
        }
        try {
            queue.put(answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while queueing an outbox answer", e);
        }
    }

    /** Answers handed over and not yet committed. */
    int backlog() {
        return queue.size();
    }

    private void loop() {
        List<OutboxAnswer> batch = new ArrayList<>(MAX_BATCH);
        Duration pause = FIRST_PAUSE;
        while (running || !queue.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    OutboxAnswer first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                }
                ledger.recordAnswers(batch, node);
                batch.clear();
                pause = FIRST_PAUSE;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                // Kept and tried again: the DFTs stay claimed meanwhile (neither they nor their orders' later DFTs
                // go out), and the senders wait once the queue is full.
                LOG.warn("could not record {} billing answer(s) ({}); trying again in {} ms", batch.size(),
                        e.getClass().getSimpleName(), pause.toMillis());
                if (!running) {
                    break;
                }
                sleep(pause);
                pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
            }
        }
        int lost = batch.size() + queue.size();
        if (lost > 0) {
            LOG.warn("{} billing answer(s) not recorded at shutdown: those DFTs are sent again, under the same MSH-10,"
                    + " after the restart", lost);
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Commits what was handed over (a last try if the ledger is failing), then stops. Call before closing the ledger. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
