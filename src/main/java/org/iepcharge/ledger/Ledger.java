package org.iepcharge.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The one storage interface of the engine. {@link #write} runs work in a transaction and returns only once it is
 * durably committed (several callers may share one commit); the outbox methods move DFTs through delivery.
 */
public interface Ledger extends AutoCloseable {

    <T> T write(LedgerWork<T> work);

    /**
     * As {@link #write(LedgerWork)}, on the writer of {@code partitionKey}: work with the same key (the same patient)
     * is never run concurrently — so same-day repeats and MUE are decided without races — while other patients'
     * work commits in parallel.
     */
    default <T> T write(String partitionKey, LedgerWork<T> work) {
        return write(work);
    }

    <T> T read(LedgerWork<T> work);

    /**
     * Claims up to {@code max} due DFTs for this node, oldest first, skipping any whose order has an earlier DFT not
     * yet delivered (so a credit never overtakes its charge). The claim is a conditional update in the database.
     */
    List<OutboxItem> claimDue(int max, Duration lease, String node);

    /**
     * Extends this node's claim on a DFT just before it is sent; false when the claim was lost (its lease ran out and
     * another node took it), in which case this node must not send it.
     */
    boolean renewClaim(long outboxId, String node, Duration lease);

    /**
     * Drops every claim {@code node} holds. Called when that node starts: whatever its previous process claimed died
     * with it (a crash or a kill), and those DFTs would otherwise wait out their lease (5 × the billing timeout).
     * Node names must be unique among the nodes sharing a ledger. Returns how many claims were released.
     */
    int releaseClaims(String node);

    void markDelivered(long outboxId, String ackCode);

    void scheduleRetry(long outboxId, String reason, Instant nextAttempt);

    void park(long outboxId, String reason);

    /**
     * As {@link #scheduleRetry(long, String, Instant)}, only while {@code node} still holds the claim: a node whose
     * lease ran out must not clear the claim of the node that took the DFT over (it could then be sent twice).
     */
    boolean scheduleRetry(long outboxId, String node, String reason, Instant nextAttempt);

    /** As {@link #park(long, String)}, only while {@code node} still holds the claim. */
    boolean park(long outboxId, String node, String reason);

    /**
     * Records billing's answers to several sent DFTs in one commit, each with the condition of its single-row
     * counterpart: delivered while still PENDING (whoever holds the claim: billing has it); retried or parked only while
     * {@code node} still holds the claim. The sender hands its answers over and goes on sending; until they commit,
     * the DFTs stay PENDING and claimed, so neither they nor a later DFT of their orders can be claimed again — and a
     * crash before the commit only means they are sent again, under the same MSH-10, after the restart.
     */
    void recordAnswers(java.util.List<OutboxAnswer> answers, String node);

    /** Parked and pending DFTs, for {@code outbox}. */
    List<OutboxItem> undelivered();

    /**
     * Puts a parked DFT back in the queue ({@code outbox retry ID}); false when it is not parked. {@code audit} writes
     * the action's audit row in the same transaction.
     */
    boolean retryParked(long outboxId, AuditWrite<Boolean> audit);

    /**
     * Closes a parked DFT with an analyst's reason ({@code outbox discard ID}); false when it is not parked.
     * {@code audit} writes the action's audit row in the same transaction.
     */
    boolean discardParked(long outboxId, String reason, AuditWrite<Boolean> audit);

    @Override
    void close();
}
