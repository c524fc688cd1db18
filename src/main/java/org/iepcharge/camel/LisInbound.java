package org.iepcharge.camel;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.iepcharge.edge.Inbound;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.hl7.AckBuilder;
import org.iepcharge.ledger.LedgerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code lisInbound}: one frame from the LIS in, its ACK out — built only after the outcome is durably stored.
 * The ACK is both the reply body (camel-netty) and the {@code CamelMllpAcknowledgement} property (camel-mllp with
 * {@code autoAck=false}), so the route's {@code from:} alone chooses the transport.
 */
public final class LisInbound implements Processor {
    static final String MLLP_ACK = "CamelMllpAcknowledgement";
    private static final Logger LOG = LoggerFactory.getLogger(LisInbound.class);

    private final InboundEdge edge;
    private final ChargeCapture capture;
    private final AckBuilder acks;
    private final MeterRegistry meters;
    private final Timer ackTime;

    public LisInbound(InboundEdge edge, ChargeCapture capture, AckBuilder acks, MeterRegistry meters) {
        this.edge = edge;
        this.capture = capture;
        this.acks = acks;
        this.meters = meters;
        this.ackTime = Timer.builder("iep.inbound.ack.time")
                .description("frame received to ACK built, the durable commit included")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofMillis(1))
                .maximumExpectedValue(java.time.Duration.ofSeconds(30)).register(meters);
    }

    @Override
    public void process(Exchange exchange) {
        long started = System.nanoTime();
        byte[] raw = exchange.getMessage().getBody(byte[].class);
        Inbound in = edge.read(raw == null ? new byte[0] : raw);
        Outcome outcome;
        try {
            outcome = capture.capture(in);
        } catch (LedgerException e) {
            LOG.error("{} {}: ledger could not commit ({}); answered AR 207, the LIS may resend", controlId(in),
                    type(in), e.getClass().getSimpleName());
            outcome = Outcome.reject(207, "", "Application internal error: the message could not be stored;"
                    + " resend later");
        }
        if (outcome.disposition() == Disposition.NO_ANSWER) {
            meters.counter("iep.inbound.messages", "ack", "none", "outcome", outcome.disposition().name(),
                    "type", typeLabel(in)).increment();
            LOG.info("{} {} recorded; an ACK is never acknowledged", controlId(in), type(in));
            exchange.getMessage().setBody(null);
            return;
        }
        // CA/CE/CR instead of AA/AE/AR when MSH-15 asks for an enhanced-mode accept acknowledgement.
        String answer = AckBuilder.answerCode(in.msh(), outcome).name();
        meters.counter("iep.inbound.messages", "ack", answer, "outcome", outcome.disposition().name(),
                "type", typeLabel(in)).increment();
        LOG.info("{} {} -> {} {}{}", controlId(in), type(in), answer, outcome.disposition(),
                outcome.errorCode() == 0 ? "" : " ERR-3 " + outcome.errorCode() + " " + outcome.errorLocation());
        byte[] ack = acks.build(in.msh(), outcome).getBytes(in.charset());
        exchange.getMessage().setBody(ack);
        exchange.setProperty(MLLP_ACK, ack);
        ackTime.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** The message type as a metric label: MSH-9.1^9.2 when it is a plain HL7 code, else "OTHER" (never content). */
    private static String typeLabel(Inbound in) {
        String t = type(in);
        return t.matches("[A-Z0-9]{3}(\\^[A-Z0-9]{3})?(\\^[A-Z0-9_]{3,7})?") ? t : "OTHER";
    }

    private static String controlId(Inbound in) {
        return in.header() == null ? "(no MSH)" : in.header().controlId();
    }

    private static String type(Inbound in) {
        return in.header() == null ? "UNKNOWN" : in.header().type();
    }
}
