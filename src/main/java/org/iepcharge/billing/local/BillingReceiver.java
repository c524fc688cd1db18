package org.iepcharge.billing.local;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.iepcharge.camel.context.EngineCamelContext;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.iepcharge.hl7.AckBuilder;
import org.iepcharge.hl7.Er7;
import org.iepcharge.hl7.Hl7Charsets;
import org.iepcharge.hl7.MshFields;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.hl7.HL7MLLPNettyDecoderFactory;
import org.apache.camel.component.hl7.HL7MLLPNettyEncoderFactory;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in billing system: listens for MLLP on a camel-netty TCP consumer with camel-hl7's MLLP codec, files every
 * message byte-exact as {@code DIR/<sequence>-<MSH-10>.hl7}, and answers with a HAPI-built ACK carrying the configured
 * code. The engine's built-in "local billing" peer ({@code iep.billing.mode=local}), the {@code receive} command's
 * receiver, and the billing system of the tests. It lives with billing, not with the command line, so the engine
 * never depends on the CLI.
 *
 * <p>camel-netty rather than a camel-mllp consumer: camel-mllp 4.17.0 drops frames a sender pipelines
 * (CAMEL-24668, see docs/transport-notes.md); the netty codec answers every frame in order.
 *
 * <p>Messages are handled one at a time (the handler is synchronized) so sequence numbers follow arrival order and
 * the counters are consistent; a billing stand-in needs correctness, not throughput.
 */
public final class BillingReceiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BillingReceiver.class);
    private static final Pattern SEQUENCE_PREFIX = Pattern.compile("^(\\d+)-.*\\.hl7$");
    /** Compiled once: String.replaceAll compiles its pattern on every call. */
    private static final Pattern UNSAFE_IN_FILE_NAME = Pattern.compile("[^A-Za-z0-9._-]");
    private static final String DECODER_BEAN = "billingReceiverHl7Decoder";
    private static final String ENCODER_BEAN = "billingReceiverHl7Encoder";
    private static final String SSL_BEAN = "billingReceiverSsl";
    private static final String CLIENT_SUBJECT_HEADER = "CamelNettySSLClientCertSubjectName";

    private final String host;
    private final AckBuilder acks = new AckBuilder("BILLING", "BILLING");
    private Consumer<ReceivedMessage> listener = m -> { };

    // Guarded by "this".
    private CamelContext camel;
    private Path dir;
    private int port;
    private AcknowledgmentCode answer = AcknowledgmentCode.AA;
    private ErrorCode errorCode = ErrorCode.APPLICATION_INTERNAL_ERROR;
    private UnaryOperator<String> acknowledgedId = UnaryOperator.identity();
    private long sequence;
    private final Set<String> seenControlIds = new HashSet<>();
    private final List<String> receivedControlIds = new ArrayList<>();
    private int redeliveries;
    private SSLContextParameters tls;
    private boolean requireClientCert;
    private final List<String> clientSubjects = new ArrayList<>();
    private final Set<String> senders = new HashSet<>();
    private static final String REMOTE_ADDRESS_HEADER = "CamelNettyRemoteAddress";

    /** A receiver bound to loopback only: billing messages carry PHI, so listening wider must be a choice. */
    public BillingReceiver() {
        this("127.0.0.1");
    }

    /** A receiver bound to {@code host} (e.g. "0.0.0.0" for every interface). */
    public BillingReceiver(String host) {
        this.host = Objects.requireNonNull(host, "host");
    }

    /** Called after each message is filed and answered, on the receiving thread. Set before {@link #start}. */
    public synchronized BillingReceiver onMessage(Consumer<ReceivedMessage> listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Listen with TLS (a stand-in for a billing system that requires it): {@code tls} holds this receiver's
     * certificate and, for {@code requireClientCert}, the CAs whose client certificates it accepts. Set before
     * {@link #start}.
     */
    public synchronized BillingReceiver tls(SSLContextParameters tls, boolean requireClientCert) {
        this.tls = Objects.requireNonNull(tls, "tls");
        this.requireClientCert = requireClientCert;
        return this;
    }

    /** With mutual TLS: the subject of the client certificate presented with each message received, in order. */
    public synchronized List<String> clientCertificateSubjects() {
        return List.copyOf(clientSubjects);
    }

    /**
     * Starts listening. Counters start from zero; file sequence numbers continue after the highest already in
     * {@code dir} so a restarted receiver never overwrites earlier messages.
     *
     * @param port   TCP port to listen on
     * @param dir    folder for the received messages (created if missing)
     * @param answer MSA-1 of every ACK: AA, AE or AR (AE/AR carry ERR-3 207; see {@link #setAnswer(AcknowledgmentCode, ErrorCode)})
     * @throws Exception if the folder cannot be created or the port cannot be bound
     */
    public synchronized void start(int port, Path dir, AcknowledgmentCode answer) throws Exception {
        if (camel != null) {
            throw new IllegalStateException("already started on port " + this.port);
        }
        Files.createDirectories(dir);
        this.dir = dir;
        this.port = port;
        this.answer = Objects.requireNonNull(answer, "answer");
        this.sequence = highestSequenceIn(dir);
        seenControlIds.clear();
        receivedControlIds.clear();
        redeliveries = 0;
        clientSubjects.clear();
        senders.clear();

        // Without camel-hl7's per-version type converters: nothing here converts to a typed HAPI message.
        CamelContext context = new EngineCamelContext();
        context.getCamelContextExtension().setName("billing-receiver-" + port);
        context.setStartupSummaryLevel(StartupSummaryLevel.Off);
        context.getRegistry().bind(DECODER_BEAN, codec(new HL7MLLPNettyDecoderFactory()));
        context.getRegistry().bind(ENCODER_BEAN, codec(new HL7MLLPNettyEncoderFactory()));
        // usingExecutorService=false: each frame is handled on its connection's I/O thread, as the bench's stand-in
        // and the LIS listener do. With camel-netty's default every frame went to a thread of its consumer executor
        // and the ACK back to the I/O thread: two hand-offs per DFT, about a fifth of the receiver's CPU in the engine
        // under the default iep.billing.mode=local (BENCHMARKS.md, "Outbox thread, fourth pass"). The handler is
        // synchronized and writes a file, so a frame blocks only its own connection's event loop, as it blocked an
        // executor thread before; several connections still take turns at the lock.
        String plain = "netty:tcp://" + host + ":" + port + "?sync=true&usingExecutorService=false"
                + "&decoders=#" + DECODER_BEAN + "&encoders=#" + ENCODER_BEAN;
        String uri = plain;
        if (tls != null) {
            context.getRegistry().bind(SSL_BEAN, tls);
            uri = plain + "&ssl=true&sslContextParameters=#" + SSL_BEAN + "&needClientAuth=" + requireClientCert
                    + "&sslClientCertHeaders=" + requireClientCert;
        }
        String endpoint = uri;
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(endpoint).routeId("billing-receiver").process(BillingReceiver.this::handle);
            }
        });
        try {
            context.start();
        } catch (Exception e) {
            context.stop();
            throw e;
        }
        camel = context;
        LOG.info("Billing receiver listening on {}:{}{}, answering {}", host, port,
                tls == null ? "" : requireClientCert ? " (mutual TLS)" : " (TLS)", answer);
    }

    /** Changes the MSA-1 given from now on (e.g. a billing system that rejects, then recovers). */
    public synchronized void setAnswer(AcknowledgmentCode answer) {
        this.answer = Objects.requireNonNull(answer, "answer");
    }

    /**
     * Changes the MSA-1 and the ERR-3 of AE/AR answers from now on: 206/207 is billing's own trouble (the sender
     * retries), any other code refuses the content (the sender parks the message). The default ERR-3 is 207.
     */
    public synchronized void setAnswer(AcknowledgmentCode answer, ErrorCode errorCode) {
        this.answer = Objects.requireNonNull(answer, "answer");
        this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
    }

    /**
     * What MSA-2 names for a received MSH-10 from now on; the identity (the default) is a correct ACK. Anything else
     * plays a billing system whose answer belongs to another message (a late ACK on a reused connection), which a
     * sender must never count as delivery of the message it sent.
     */
    public synchronized void setAcknowledgedId(UnaryOperator<String> acknowledgedId) {
        this.acknowledgedId = Objects.requireNonNull(acknowledgedId, "acknowledgedId");
    }

    public synchronized ErrorCode errorCode() {
        return errorCode;
    }

    /**
     * Stops listening; counters keep their values until the next {@link #start}. Safe to call twice. Camel waits for
     * the messages in flight, whose handler takes this object's lock: the context is stopped outside it (stopping
     * under it, a sender mid-message held the shutdown for Camel's whole 45 s timeout).
     */
    public void stop() {
        CamelContext stopping;
        synchronized (this) {
            stopping = camel;
            camel = null;
        }
        if (stopping != null) {
            stopping.stop();
            LOG.info("Billing receiver on port {} stopped after {} messages", port(), receivedCount());
        }
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return camel != null;
    }

    public synchronized int port() {
        return port;
    }

    /** Messages received since start, redeliveries included. */
    public synchronized int receivedCount() {
        return receivedControlIds.size();
    }

    /** MSH-10 of every message received since start, in arrival order, redeliveries included. */
    public synchronized List<String> receivedControlIds() {
        return List.copyOf(receivedControlIds);
    }

    /** How many different connections (sender address and port) delivered messages since start. */
    public synchronized int connectionCount() {
        return senders.size();
    }

    /** Messages whose MSH-10 had already arrived since start. */
    public synchronized int redeliveryCount() {
        return redeliveries;
    }

    /** Netty codec configured to hand over bytes, so the file is byte-exact and MSH-18 picks the charset. */
    private static <T extends org.apache.camel.component.netty.ChannelHandlerFactory> T codec(T factory) {
        if (factory instanceof HL7MLLPNettyDecoderFactory decoder) {
            decoder.setProduceString(false);
            decoder.setConvertLFtoCR(false);
        } else if (factory instanceof HL7MLLPNettyEncoderFactory encoder) {
            encoder.setProduceString(false);
        }
        return factory;
    }

    /** The same HAPI-built ACK the engine gives the LIS (ERR layout per the DFT's version), with our chosen code. */
    private byte[] ack(byte[] payload, AcknowledgmentCode code, ErrorCode error, String errorText, Charset charset) {
        MshFields msh = Er7.of(new String(payload, charset)).msh().map(this::acknowledging).orElse(null);
        Outcome outcome = switch (code) {
            case AA, CA -> Outcome.accepted(Disposition.IGNORED);
            case AR, CR -> Outcome.reject(error.getCode(), "", errorText);
            default -> Outcome.error(error.getCode(), "", errorText);
        };
        return acks.build(msh, outcome).getBytes(charset);
    }

    private synchronized void handle(Exchange exchange) {
        byte[] payload = exchange.getMessage().getBody(byte[].class);
        Er7 message = Er7.of(payload);
        String controlId = message.field("MSH-10").trim();
        String event = message.get("MSH-9-2").trim();
        String type = event.isEmpty() ? message.get("MSH-9-1").trim() : message.get("MSH-9-1").trim() + "^" + event;
        Charset charset = Hl7Charsets.of(payload, StandardCharsets.UTF_8);
        long seq = ++sequence;

        Path file;
        AcknowledgmentCode code = answer;
        ErrorCode error = errorCode;
        String errorText = error.getMessage();
        try {
            file = store(seq, controlId, payload);
        } catch (IOException e) {
            // Not filed, so not accepted, whatever answer was configured: the sender must retry.
            LOG.warn("Billing receiver could not store message {} ({}): {}", controlId, type, e.getClass().getSimpleName());
            file = null;
            code = AcknowledgmentCode.AE;
            error = ErrorCode.APPLICATION_INTERNAL_ERROR;
            errorText = "Receiver could not store the message";
        }
        boolean redelivery = false;
        if (file != null) {
            redelivery = !controlId.isEmpty() && !seenControlIds.add(controlId);
            if (redelivery) {
                redeliveries++;
            }
            receivedControlIds.add(controlId);
            senders.add(String.valueOf(exchange.getMessage().getHeader(REMOTE_ADDRESS_HEADER)));
            String subject = exchange.getMessage().getHeader(CLIENT_SUBJECT_HEADER, String.class);
            if (subject != null) {
                clientSubjects.add(subject);
            }
        }
        exchange.getMessage().setBody(ack(payload, code, error, errorText, charset));
        LOG.info("Billing receiver got {} {} seq {}, answered {}{}", controlId, type, seq, code,
                redelivery ? " (redelivery)" : "");
        listener.accept(new ReceivedMessage(seq, controlId, type, file, code.name(), redelivery));
    }

    private MshFields acknowledging(MshFields m) {
        String named = acknowledgedId.apply(m.controlId());
        return named.equals(m.controlId()) ? m : new MshFields(m.fieldSeparator(), m.encodingCharacters(),
                m.sendingApplication(), m.sendingFacility(), m.receivingApplication(), m.receivingFacility(),
                m.messageType(), m.triggerEvent(), named, m.processingId(), m.version(), m.acceptAckType(),
                m.applicationAckType(), m.characterSet());
    }

    /** Writes to a temporary name, then moves into place, so a reader of DIR never sees half a message. */
    private Path store(long seq, String controlId, byte[] payload) throws IOException {
        String name = fileName(seq, controlId);
        Path target = dir.resolve(name);
        Path temp = dir.resolve("." + name + ".tmp");
        Files.write(temp, payload);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /**
     * {@code String.format("%06d-%s.hl7", seq, safeFileName(controlId))} without the formatter, which parsed its
     * pattern on every message (a tenth of the receiver's handling, BENCHMARKS.md "Outbox thread, fourth pass").
     */
    static String fileName(long seq, String controlId) {
        String digits = Long.toString(seq);
        String safe = safeFileName(controlId);
        StringBuilder name = new StringBuilder(digits.length() + safe.length() + 11);
        for (int i = digits.length(); i < 6; i++) {
            name.append('0'); // a sequence is never negative: it counts up from the highest already filed
        }
        name.append(digits);
        return name.append('-').append(safe).append(".hl7").toString();
    }

    /** MSH-10 comes from the sender: keep it readable but never let it name a path. */
    static String safeFileName(String controlId) {
        String safe = UNSAFE_IN_FILE_NAME.matcher(controlId).replaceAll("_");
        if (safe.isEmpty() || safe.chars().allMatch(c -> c == '.')) {
            return "no-control-id";
        }
        return safe.length() > 80 ? safe.substring(0, 80) : safe;
    }

    private static long highestSequenceIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> SEQUENCE_PREFIX.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToLong(m -> parseOrZero(m.group(1)))
                    .max().orElse(0);
        }
    }

    private static long parseOrZero(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
