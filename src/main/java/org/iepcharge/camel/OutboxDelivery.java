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
import org.iepcharge.ledger.OutboxItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code outbox}: what the outbound route calls around its {@code to: mllp:}. It claims due DFTs in the ledger,
 * hands each one's fixed bytes to the producer, and records billing's answer — delivered, retried with backoff, or
 * parked with billing's reason.
 */
public final class OutboxDelivery {
    static final String OUTBOX_ID = "iepOutboxId";
    static final String CONTROL_ID = "iepControlId";
    static final String ATTEMPTS = "iepAttempts";
    private static final String MLLP_ACK_HEADER = "CamelMllpAcknowledgement";
    private static final Logger LOG = LoggerFactory.getLogger(OutboxDelivery.class);

    private final Ledger ledger;
    private final DeliveryPolicy policy;
    private final BillingAnswerReader reader = new BillingAnswerReader();
    private final String node;
    private final Duration lease;
    private final int batchSize;
    /** Delivered in the current poll, recorded together by {@link #flush()}: one commit per poll, not per DFT. */
    private final java.util.Map<Long, String> delivered = new java.util.LinkedHashMap<>();

    public OutboxDelivery(Ledger ledger, DeliveryPolicy policy, String node, Duration lease, int batchSize) {
        this.ledger = ledger;
        this.policy = policy;
        this.node = node;
        this.lease = lease;
        this.batchSize = batchSize;
    }

    /** Due DFTs claimed for this node (an empty list when billing has nothing to receive). */
    public List<OutboxItem> claim() {
        flush();
        return ledger.claimDue(batchSize, lease, node);
    }

    /**
     * Records every DFT billing accepted since the last flush, in one commit. Until then those DFTs stay claimed
     * (leased) by this node: a crash before the flush means they are sent again after the lease, with the same
     * bytes and MSH-10 — as a crash between billing's ACK and a per-DFT update always could.
     */
    public void flush() {
        java.util.Map<Long, String> batch;
        synchronized (delivered) {
            if (delivered.isEmpty()) {
                return;
            }
            batch = new java.util.LinkedHashMap<>(delivered);
            delivered.clear();
        }
        ledger.markDelivered(batch);
    }

    /** Puts one claimed DFT's bytes in the body, exactly as stored. */
    public void prepare(Exchange exchange) {
        OutboxItem item = exchange.getMessage().getBody(OutboxItem.class);
        exchange.getMessage().setHeader(OUTBOX_ID, item.id());
        exchange.getMessage().setHeader(CONTROL_ID, item.controlId());
        exchange.getMessage().setHeader(ATTEMPTS, item.attempts());
        exchange.getMessage().setBody(item.payload());
    }

    /** Billing answered (AA, or a NACK the producer raised as an exception): record what it means. */
    public void answered(Exchange exchange) {
        long id = exchange.getMessage().getHeader(OUTBOX_ID, Long.class);
        String controlId = exchange.getMessage().getHeader(CONTROL_ID, String.class);
        int attempts = exchange.getMessage().getHeader(ATTEMPTS, 0, Integer.class);
        byte[] ack = exchange.getMessage().getHeader(MLLP_ACK_HEADER, byte[].class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Optional<BillingAnswer> answer = reader.read(ack);
        DeliveryVerdict verdict = policy.classify(controlId, answer);
        switch (verdict) {
            case DELIVERED -> {
                synchronized (delivered) {
                    delivered.put(id, answer.get().ackCode());
                }
                LOG.info("{} delivered to billing ({})", controlId, answer.get().ackCode());
            }
            case PARK -> {
                BillingAnswer a = answer.get();
                String reason = a.ackCode() + (a.errorCode() == 0 ? "" : " " + a.errorCode())
                        + (a.reason().isEmpty() ? "" : ": " + a.reason());
                ledger.park(id, reason);
                LOG.warn("{} parked: billing answered {}; later DFTs of the same order wait", controlId,
                        a.ackCode() + (a.errorCode() == 0 ? "" : " " + a.errorCode()));
            }
            case RETRY -> {
                Duration delay = policy.retryDelay(attempts);
                String why = answer.map(a -> a.acknowledgedControlId().equals(controlId)
                                ? "billing answered " + a.ackCode() + " " + a.errorCode()
                                : "ACK for another message (MSA-2 mismatch)")
                        .orElse(failure == null ? "no readable ACK" : failure.getClass().getSimpleName());
                ledger.scheduleRetry(id, why, Instant.now().plus(delay));
                LOG.warn("{} not delivered ({}); retry in {} ms", controlId, why, delay.toMillis());
            }
            default -> throw new IllegalStateException("unknown verdict " + verdict);
        }
    }
}
