package org.iepcharge.camel;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.apache.camel.Exchange;
import org.iepcharge.billing.BillingAnswer;
import org.iepcharge.billing.BillingAnswerReader;
import org.iepcharge.billing.DeliveryPolicy;
import org.iepcharge.billing.DeliveryVerdict;
import org.iepcharge.ledger.Ledger;
import org.iepcharge.ledger.OutboxAnswer;
import org.iepcharge.ledger.OutboxItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the outbound route calls around its {@code to: mllp:}, as the processors {@code outboxClaim},
 * {@code outboxPrepare} and {@code outboxAnswered} (plain processor calls, no bean binding per DFT). It claims due DFTs
 * in the ledger, hands each one's fixed bytes to the producer, and hands billing's answer — delivered, retried with
 * backoff, or parked with billing's reason — to the {@link AnswerRecorder}, which commits it while the route sends the
 * next DFT. Thread-safe: one instance serves every billing connection's route ({@code iep.billing.connections}).
 */
public final class OutboxDelivery {
    static final String OUTBOX_ID = "iepOutboxId";
    static final String CONTROL_ID = "iepControlId";
    static final String ATTEMPTS = "iepAttempts";
    static final String CLAIMED = "iepClaimed";
    private static final String MLLP_ACK_HEADER = "CamelMllpAcknowledgement";
    private static final Logger LOG = LoggerFactory.getLogger(OutboxDelivery.class);

    /** Exchange property: System.nanoTime() of the claim the DFTs in hand came from. */
    static final String CLAIMED_AT = "iepClaimedAt";
    private final Ledger ledger;
    private final AnswerRecorder answers;
    private final DeliveryPolicy policy;
    private final BillingAnswerReader reader = new BillingAnswerReader();
    private final PollFailureLog pollFailures = new PollFailureLog(Duration.ofMinutes(1), System::nanoTime);
    private final String node;
    private final Duration lease;
    private final int batchSize;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    private final io.micrometer.core.instrument.Timer answerTime;
    private static final String SENT_AT = "iepSentAt";
    /**
     * The attempt counters by verdict, each registered on first use (a verdict never seen shows no meter): looking one
     * up in the registry per DFT built its id and tags every time.
     */
    private final java.util.Map<DeliveryVerdict, io.micrometer.core.instrument.Counter> attemptCounters =
            new java.util.concurrent.ConcurrentHashMap<>();

    OutboxDelivery(Ledger ledger, AnswerRecorder answers, DeliveryPolicy policy, String node, Duration lease,
                   int batchSize, io.micrometer.core.instrument.MeterRegistry meters) {
        this.answers = answers;
        this.meters = meters;
        this.answerTime = io.micrometer.core.instrument.Timer.builder("iep.billing.answer.time")
                .description("DFT handed to the producer to billing's answer read").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(meters);
        this.ledger = ledger;
        this.policy = policy;
        this.node = node;
        this.lease = lease;
        this.batchSize = batchSize;
    }

    /**
     * Processor {@code outboxClaim}: the body becomes the due DFTs claimed for this node, oldest first (an empty list
     * when billing has nothing to receive). An empty claim tells the polling scheduler it found nothing, so a greedy
     * scheduler waits its delay instead of claiming again at once.
     */
    public void claim(Exchange exchange) {
        exchange.setProperty(CLAIMED_AT, System.nanoTime());
        List<OutboxItem> items = ledger.claimDue(batchSize, lease, node);
        pollFailures.succeeded().ifPresent(LOG::info);
        exchange.getMessage().setBody(items);
        if (items.isEmpty()) {
            exchange.setProperty(Exchange.SCHEDULER_POLLED_MESSAGES, false);
        }
    }

    /**
     * Processor {@code outboxPrepare}: puts one claimed DFT's bytes in the body, exactly as stored, after renewing this node's claim: items wait their
     * turn in the batch, and one whose lease ran out may have been taken by another node meanwhile — then
     * {@code iepClaimed} is false and the route does not send it.
     */
    public void prepare(Exchange exchange) {
        OutboxItem item = exchange.getMessage().getBody(OutboxItem.class);
        // Early items of a batch still hold most of their lease: renewing them would cost a commit for nothing.
        Long claimedAt = exchange.getProperty(CLAIMED_AT, Long.class);
        boolean fresh = claimedAt != null && System.nanoTime() - claimedAt < lease.toNanos() / 2;
        boolean claimed = fresh || ledger.renewClaim(item.id(), node, lease);
        exchange.getMessage().setHeader(CLAIMED, claimed);
        if (!claimed) {
            LOG.info("{} no longer claimed by this node: not sent from here", item.controlId());
        }
        exchange.getMessage().setHeader(OUTBOX_ID, item.id());
        exchange.getMessage().setHeader(CONTROL_ID, item.controlId());
        exchange.getMessage().setHeader(ATTEMPTS, item.attempts());
        exchange.getMessage().setBody(item.payload());
        exchange.getMessage().setHeader(SENT_AT, System.nanoTime());
    }

    /**
     * Processor {@code outboxAnswered} (also the route's error handler): billing answered (AA, or a NACK the producer raised as an exception or returned as its reply): record what it
     * means. The ACK is where the producer the route used puts it — camel-mllp: the header
     * {@code CamelMllpAcknowledgement} (also on a NACK it raised); camel-netty (TLS): the reply body, present only when
     * the exchange did not fail. Classification and the MSA-2 check are the same whichever carried it.
     */
    public void answered(Exchange exchange) {
        Long outboxId = exchange.getMessage().getHeader(OUTBOX_ID, Long.class);
        if (outboxId == null) {
            // Failed before a DFT was in hand (claiming itself failed): nothing to record; the next poll tries again.
            Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            pollFailures.failed(failure == null ? "unknown" : failure.getClass().getSimpleName()).ifPresent(LOG::warn);
            // Not a poll that found work: the scheduler waits its delay before trying again, never a tight loop.
            exchange.setProperty(Exchange.SCHEDULER_POLLED_MESSAGES, false);
            return;
        }
        long id = outboxId;
        String controlId = exchange.getMessage().getHeader(CONTROL_ID, String.class);
        int attempts = exchange.getMessage().getHeader(ATTEMPTS, 0, Integer.class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        byte[] ack = ackOf(exchange, failure);
        Optional<BillingAnswer> answer = reader.read(ack);
        DeliveryVerdict verdict = policy.classify(controlId, answer);
        attemptCounters.computeIfAbsent(verdict, v -> meters.counter("iep.billing.attempts", "verdict", v.name()))
                .increment();
        Long sentAt = exchange.getMessage().getHeader(SENT_AT, Long.class);
        if (sentAt != null && answer.isPresent()) {
            answerTime.record(System.nanoTime() - sentAt, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        switch (verdict) {
            case DELIVERED -> {
                answers.record(OutboxAnswer.delivered(id, answer.get().ackCode()));
                LOG.info("{} delivered to billing ({})", controlId, answer.get().ackCode());
            }
            case PARK -> {
                BillingAnswer a = answer.get();
                String reason = a.ackCode() + (a.errorCode() == 0 ? "" : " " + a.errorCode())
                        + (a.reason().isEmpty() ? "" : ": " + a.reason());
                answers.record(OutboxAnswer.park(id, reason));
                LOG.warn("{} parked: billing answered {}; later DFTs of the same order wait", controlId,
                        a.ackCode() + (a.errorCode() == 0 ? "" : " " + a.errorCode()));
            }
            case RETRY -> {
                Duration delay = policy.retryDelay(attempts);
                String why = answer.map(a -> a.acknowledgedControlId().equals(controlId)
                                ? "billing answered " + a.ackCode() + " " + a.errorCode()
                                : "ACK for another message (MSA-2 mismatch)")
                        .orElse(failure == null ? "no readable ACK" : describe(failure));
                answers.record(OutboxAnswer.retry(id, why, Instant.now().plus(delay)));
                LOG.warn("{} not delivered ({}); retry in {} ms", controlId, why, delay.toMillis());
            }
            default -> throw new IllegalStateException("unknown verdict " + verdict);
        }
    }

    /**
     * The failure's class; for a TLS failure also its message (e.g. which host name billing's certificate lacks),
     * which names certificates, never message content. Other messages may quote PHI and are left out.
     */
    private static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException && t.getMessage() != null) {
                return t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return failure.getClass().getSimpleName();
    }

    private static byte[] ackOf(Exchange exchange, Throwable failure) {
        byte[] ack = exchange.getMessage().getHeader(MLLP_ACK_HEADER, byte[].class);
        if (ack != null || failure != null) {
            return ack;
        }
        String sentTo = exchange.getProperty(Exchange.TO_ENDPOINT, String.class);
        if (sentTo != null && sentTo.startsWith("netty:")) {
            // A request/reply netty producer replaced the body (the DFT) with billing's answer.
            return exchange.getMessage().getBody(byte[].class);
        }
        return null;
    }
}
