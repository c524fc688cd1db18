package org.iepcharge.camel;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.iepcharge.edge.Inbound;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.edge.mllp.FrameStamps;
import org.iepcharge.hl7.AckBuilder;
import org.iepcharge.ledger.AckStages;
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
    /** camel-netty's header with the connection's handler context (NettyConstants.NETTY_CHANNEL_HANDLER_CONTEXT). */
    private static final String NETTY_CONTEXT = "CamelNettyChannelHandlerContext";
    private static final Logger LOG = LoggerFactory.getLogger(LisInbound.class);

    private final InboundEdge edge;
    private final ChargeCapture capture;
    private final AckBuilder acks;
    private final MeterRegistry meters;
    private final Timer ackTime;
    private final java.util.concurrent.ConcurrentMap<CounterKey, Counter> counters =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.Set<String> ACCEPTED_TYPES = java.util.Set.of("ORM^O01", "OML^O21", "ORU^R01");
    private static final java.util.regex.Pattern TYPE_LABEL =
            java.util.regex.Pattern.compile("[A-Z0-9]{3}(\\^[A-Z0-9]{3})?(\\^[A-Z0-9_]{3,7})?");

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
        long[] frame = AckStages.ENABLED ? frameStamps(exchange) : null;
        byte[] raw = exchange.getMessage().getBody(byte[].class);
        Inbound in = edge.read(raw == null ? new byte[0] : raw);
        if (AckStages.ENABLED) {
            stampParsed(frame, started);
        }
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
            messages("none", outcome.disposition(), typeLabel(in)).increment();
            LOG.info("{} {} recorded; an ACK is never acknowledged", controlId(in), type(in));
            exchange.getMessage().setBody(null);
            if (frame != null) {
                FrameStamps.unanswered(channel(exchange));
            }
            return;
        }
        // CA/CE/CR instead of AA/AE/AR when MSH-15 asks for an enhanced-mode accept acknowledgement.
        String answer = AckBuilder.answerCode(in.msh(), outcome).name();
        messages(answer, outcome.disposition(), typeLabel(in)).increment();
        LOG.info("{} {} -> {} {}{}", controlId(in), type(in), answer, outcome.disposition(),
                outcome.errorCode() == 0 ? "" : " ERR-3 " + outcome.errorCode() + " " + outcome.errorLocation());
        byte[] ack = acks.build(in.msh(), outcome).getBytes(in.charset());
        exchange.getMessage().setBody(ack);
        exchange.setProperty(MLLP_ACK, ack);
        long built = System.nanoTime();
        ackTime.record(built - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (frame != null) {
            AckStages.record(AckStages.Stage.ACK_BUILD, built - AckStages.captured());
            frame[1] = built;
        }
    }

    /** AckStages only: the netty stamps of the frame this exchange carries (null on a transport without them). */
    private static long[] frameStamps(Exchange exchange) {
        io.netty.channel.Channel channel = channel(exchange);
        return channel == null ? null : FrameStamps.current(channel);
    }

    private static io.netty.channel.Channel channel(Exchange exchange) {
        Object ctx = exchange.getMessage().getHeader(NETTY_CONTEXT);
        return ctx instanceof io.netty.channel.ChannelHandlerContext c ? c.channel() : null;
    }

    private static void stampParsed(long[] frame, long started) {
        long parsed = System.nanoTime();
        if (frame != null) {
            AckStages.record(AckStages.Stage.READ_TO_PICKUP, started - frame[0]);
        }
        AckStages.record(AckStages.Stage.PARSE, parsed - started);
        AckStages.parsed(parsed);
    }

    /** The message type as a metric label: MSH-9.1^9.2 when it is a plain HL7 code, else "OTHER" (never content). */
    private static String typeLabel(Inbound in) {
        String t = type(in);
        // The accepted types skip the regex (≈ 0.7 % of the route thread's CPU per message).
        if (ACCEPTED_TYPES.contains(t)) {
            return t;
        }
        return TYPE_LABEL.matcher(t).matches() ? t : "OTHER";
    }

    /**
     * The counter of one (ack, outcome, type), looked up once: the registry's own lookup builds and sorts the tags and
     * hashes the meter ID on every call, per message. A composite registry's counters follow registries added later.
     */
    private Counter messages(String ack, Disposition outcome, String type) {
        return counters.computeIfAbsent(new CounterKey(ack, outcome, type), k -> meters.counter(
                "iep.inbound.messages", "ack", k.ack(), "outcome", k.outcome().name(), "type", k.type()));
    }

    private record CounterKey(String ack, Disposition outcome, String type) {
    }

    private static String controlId(Inbound in) {
        return in.header() == null ? "(no MSH)" : in.header().controlId();
    }

    private static String type(Inbound in) {
        return in.header() == null ? "UNKNOWN" : in.header().type();
    }
}
