package org.iepcharge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import ca.uhn.hl7v2.AcknowledgmentCode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.component.mllp.MllpComponent;
import org.apache.camel.component.mllp.MllpException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.iepcharge.billing.local.BillingReceiver;
import org.iepcharge.billing.local.ReceivedMessage;
import org.iepcharge.camel.Engine;
import org.iepcharge.config.EngineSettings;
import org.iepcharge.domain.Outcome;
import org.iepcharge.hl7.Er7;


/**
 * A running engine for tests, wired the way an analyst deploys it: {@code Engine.start(EngineSettings.resolve(...))}
 * with a temporary data dir, free loopback ports, the project's own {@code routes/} folder, and billing over MLLP to a
 * {@link BillingReceiver} this harness owns — or, from {@link #startWithOwnBilling}, to a peer the test starts itself
 * (its answers, its TLS, a peer that is down) with short billing delays. Messages go in over a real socket with the
 * camel-mllp producer ({@link #send}, {@link #lisSends}); {@link #connect()} opens a raw MLLP connection for what a
 * producer cannot show (no answer at all, the same connection used afterwards). What the engine did is read back from
 * its ledger ({@link #outcomeOf}, {@link #outbox()}) and from the billing peer ({@link #dfts()}).
 *
 * <p>{@link Transport#MLLP} runs a copy of {@code routes/} whose {@code lis-inbound} {@code from:} is the camel-mllp
 * alternative documented in the comment of {@code routes/lis-inbound.camel.yaml} — nothing else changes, so a test
 * passing on both transports shows that everything behind {@code from:} works the same.
 */
public final class EngineHarness implements AutoCloseable {

    /** Which inbound listener the lis-inbound route uses. */
    public enum Transport {
        /** The shipped route: camel-netty with camel-hl7's MLLP codec. */
        NETTY,
        /** The documented alternative: camel-mllp with {@code autoAck=false}. */
        MLLP
    }

    private static final byte VT = 0x0b;
    private static final byte FS = 0x1c;
    private static final byte CR = 0x0d;
    private static final Pattern DOCUMENTED_MLLP_URI = Pattern.compile("(?m)^#\\s+uri:\\s*\"(mllp:[^\"]+)\"\\s*$");

    /** Billing delays of {@link #startWithOwnBilling} engines: short enough that a retry or three fit in a test. */
    public static final int RETRY_FIRST_MILLIS = 100;
    public static final int RETRY_MAX_MILLIS = 400;
    public static final int BILLING_TIMEOUT_MILLIS = 1_000;

    private final Transport transport;
    private final Path dir;
    private final BillingReceiver billing;
    private final List<ReceivedMessage> received;
    private final Map<String, String> settings;
    private final Engine engine;
    private final CamelContext client;
    private final ProducerTemplate template;
    private final String sendUri;

    private EngineHarness(Transport transport, Path dir, BillingReceiver billing, List<ReceivedMessage> received,
                          Map<String, String> settings, Engine engine) {
        this.transport = transport;
        this.dir = dir;
        this.billing = billing;
        this.received = received;
        this.settings = Map.copyOf(settings);
        this.engine = engine;
        this.client = new DefaultCamelContext();
        client.getCamelContextExtension().setName("engine-harness-client");
        client.setStartupSummaryLevel(StartupSummaryLevel.Off);
        MllpComponent mllp = new MllpComponent();
        mllp.setLogPhi(false);
        client.addComponent("mllp", mllp);
        client.start();
        this.template = client.createProducerTemplate();
        this.sendUri = "mllp:127.0.0.1:" + engine.settings().inboundPort()
                + "?connectTimeout=5000&receiveTimeout=20000&readTimeout=5000";
    }

    /** Starts an engine on {@code transport} with its files under {@code dir}. */
    public static EngineHarness start(Transport transport, Path dir) throws Exception {
        return start(transport, dir, Map.of());
    }

    /** As {@link #start(Transport, Path)}, with extra settings (e.g. {@code iep.rules}) on top of the harness's. */
    public static EngineHarness start(Transport transport, Path dir, Map<String, String> extra) throws Exception {
        return start(transport, dir, extra, java.time.Clock.systemDefaultZone(),
                org.iepcharge.capture.ChargeIds.LEDGER_SEQUENCES);
    }

    /** As {@link #start(Transport, Path, Map)}, with charge capture's clock and MSH-10/FT1-2 source given. */
    public static EngineHarness start(Transport transport, Path dir, Map<String, String> extra,
                                      java.time.Clock clock, org.iepcharge.capture.ChargeIds ids) throws Exception {
        Files.createDirectories(dir);
        List<ReceivedMessage> received = new CopyOnWriteArrayList<>();
        BillingReceiver billing = new BillingReceiver().onMessage(received::add);
        billing.start(freePort(), dir.resolve("billing"), AcknowledgmentCode.AA);
        try {
            Map<String, String> settings = settings(dir, routesFor(transport, dir.resolve("routes")), billing.port(),
                    freePort());
            settings.putAll(extra);
            Engine engine = Engine.start(EngineSettings.resolve(settings, Map.of()), clock, ids);
            return new EngineHarness(transport, dir, billing, received, settings, engine);
        } catch (Exception | Error e) {
            billing.close();
            throw e;
        }
    }

    /**
     * An engine (shipped routes) whose billing peer is the test's own: nothing listens on {@link #billingPort()} until
     * the test starts a peer there (a {@link BillingReceiver} with the answers, TLS or stale ACKs it wants),
     * and billing delays are short ({@link #RETRY_FIRST_MILLIS}, {@link #RETRY_MAX_MILLIS},
     * {@link #BILLING_TIMEOUT_MILLIS}). The settings file is an empty one, so only {@code extra} adds to the harness's.
     */
    public static EngineHarness startWithOwnBilling(Path dir, Map<String, String> extra) throws Exception {
        Files.createDirectories(dir);
        Map<String, String> settings = settings(dir, projectRoutes(), freePort(), freePort());
        settings.put("iep.config", Files.writeString(dir.resolve("empty.properties"), "").toString());
        settings.put("iep.billing.timeoutMillis", String.valueOf(BILLING_TIMEOUT_MILLIS));
        settings.put("iep.billing.pollMillis", "50");
        settings.put("iep.billing.retryFirstMillis", String.valueOf(RETRY_FIRST_MILLIS));
        settings.put("iep.billing.retryMaxMillis", String.valueOf(RETRY_MAX_MILLIS));
        settings.put("iep.node", "test-node");
        settings.putAll(extra);
        Engine engine = Engine.start(EngineSettings.resolve(settings, Map.of()));
        return new EngineHarness(Transport.NETTY, dir, null, List.of(), settings, engine);
    }

    /** The -D settings a harness engine runs with (also used by the packaged-jar IT). */
    public static Map<String, String> settings(Path dir, Path routes, int billingPort, int inboundPort) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("iep.dataDir", dir.resolve("data").toString());
        s.put("iep.routes", routes.toString());
        s.put("iep.inbound.host", "127.0.0.1");
        s.put("iep.inbound.port", String.valueOf(inboundPort));
        s.put("iep.billing.mode", EngineSettings.MODE_MLLP);
        s.put("iep.billing.host", "127.0.0.1");
        s.put("iep.billing.port", String.valueOf(billingPort));
        s.put("iep.billing.pollMillis", "20");
        s.put("iep.billing.timeoutMillis", "5000");
        s.put("iep.node", "test");
        // Engines in tests run side by side: the console is switched on, on a free port, only by tests that use it.
        s.put("iep.http.enabled", "false");
        return s;
    }

    // ---- project layout ---------------------------------------------------------------------------------------

    /** The project folder: system property {@code iep.test.projectDir} (set by surefire/failsafe), else the working dir. */
    public static Path projectDir() {
        String configured = System.getProperty("iep.test.projectDir");
        return Path.of(configured == null || configured.isBlank() ? "." : configured).toAbsolutePath().normalize();
    }

    /** The project's real {@code routes/} folder. */
    public static Path projectRoutes() {
        Path routes = projectDir().resolve("routes");
        if (!Files.isDirectory(routes)) {
            throw new IllegalStateException("No routes/ folder under " + projectDir()
                    + " (set -Diep.test.projectDir to the project folder)");
        }
        return routes;
    }

    /**
     * The routes folder for a transport: the project's own for NETTY; for MLLP a copy in {@code target} whose
     * lis-inbound {@code from:} uri is the camel-mllp line documented in that file's comment, its netty parameters
     * dropped.
     */
    public static Path routesFor(Transport transport, Path target) throws IOException {
        Path routes = projectRoutes();
        if (transport == Transport.NETTY) {
            return routes;
        }
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(routes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, target.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path inbound = target.resolve("lis-inbound.camel.yaml");
        Files.writeString(inbound, withMllpFrom(Files.readString(inbound)));
        return target;
    }

    /** Replaces the {@code from:} uri and parameters of a route file with the camel-mllp uri its comment documents. */
    public static String withMllpFrom(String yaml) {
        Matcher documented = DOCUMENTED_MLLP_URI.matcher(yaml);
        if (!documented.find()) {
            throw new IllegalStateException("lis-inbound.camel.yaml no longer documents a camel-mllp uri in its comment");
        }
        String mllpUri = documented.group(1);
        List<String> lines = new ArrayList<>(List.of(yaml.split("\n", -1)));
        int from = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().equals("from:")) {
                from = i;
                break;
            }
        }
        if (from < 0 || !lines.get(from + 1).trim().startsWith("uri:")) {
            throw new IllegalStateException("lis-inbound.camel.yaml: no 'from:' with a 'uri:' line");
        }
        String uriLine = lines.get(from + 1);
        String indent = uriLine.substring(0, uriLine.indexOf("uri:"));
        lines.set(from + 1, indent + "uri: \"" + mllpUri + "\"");
        int next = from + 2;
        if (lines.get(next).trim().equals("parameters:")) {
            lines.remove(next);
            while (next < lines.size() && indentOf(lines.get(next)) > indent.length()) {
                lines.remove(next);
            }
        }
        String result = String.join("\n", lines);
        boolean nettyLeft = result.lines().filter(l -> !l.trim().startsWith("#")).anyMatch(l -> l.contains("netty:"));
        if (nettyLeft) {
            throw new IllegalStateException("camel-mllp copy of lis-inbound.camel.yaml still names netty");
        }
        return result;
    }

    private static int indentOf(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        return line.isBlank() ? Integer.MAX_VALUE : i;
    }

    /** A free loopback port that stays free while an engine on it is killed and started again ({@link LoopbackPorts}). */
    public static int freePort() {
        return LoopbackPorts.free();
    }

    // ---- sending ------------------------------------------------------------------------------------------------

    public Transport transport() {
        return transport;
    }

    public Engine engine() {
        return engine;
    }

    /** The billing receiver this harness owns; an engine {@link #startWithOwnBilling started with its own} has none. */
    public BillingReceiver billing() {
        return requireOwnedBilling();
    }

    /** The port the engine delivers DFTs to. */
    public int billingPort() {
        return Integer.parseInt(settings.get("iep.billing.port"));
    }

    /** The settings the engine runs with, as {@code -D} keys and values (what the command line reads too). */
    public Map<String, String> properties() {
        return settings;
    }

    public String ledgerUrl() {
        return engine.settings().ledgerUrl();
    }

    private BillingReceiver requireOwnedBilling() {
        if (billing == null) {
            throw new IllegalStateException("this engine's billing peer is the test's own (startWithOwnBilling)");
        }
        return billing;
    }

    public Path dir() {
        return dir;
    }

    /** Sends one message (UTF-8) and returns its ACK. */
    public Ack send(String er7) {
        return send(er7.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends one message with the camel-mllp producer and returns its ACK. Fails (AssertionError) when no ACK came:
     * use {@link #connect()} for messages that must not be answered.
     */
    public Ack send(byte[] payload) {
        Exchange exchange = new DefaultExchange(client, ExchangePattern.InOut);
        exchange.getMessage().setBody(payload);
        template.send(sendUri, exchange);
        byte[] ack = exchange.getMessage().getHeader("CamelMllpAcknowledgement", byte[].class);
        Exception failure = exchange.getException();
        if (ack == null && failure instanceof MllpException mllp && mllp.hasHl7AcknowledgementBytes()) {
            ack = mllp.getHl7AcknowledgementBytes();
        }
        if (ack == null) {
            throw new AssertionError("no ACK from the engine (" + (failure == null ? "no exception"
                    : failure.getClass().getSimpleName()) + ")", failure);
        }
        return new Ack(ack);
    }

    /** Sends one message ('\n' or '\r' between segments); the engine must accept it (AA or CA). */
    public void lisSends(String message) {
        Ack ack = send(message.replace('\n', '\r'));
        assertThat(ack.msa1()).as("LIS answer %s", ack).isIn("AA", "CA");
    }

    /**
     * ORM NW then ORU final for one order: one charge DFT (the shipped rules charge on the final result). Each order
     * has its own patient: the same patient, CPT and date from another order would be held as a same-day repeat.
     */
    public void orderAndFinalResult(String placer) {
        lisSends(LabMessages.orm(placer));
        lisSends(LabMessages.oru(placer, "F", LabMessages.COLLECTED));
    }

    /** A raw MLLP connection to the engine's LIS listener over a real loopback socket. */
    public Connection connect() throws IOException {
        return new Connection(new Socket(InetAddress.getLoopbackAddress(), engine.settings().inboundPort()));
    }

    // ---- what the engine did ------------------------------------------------------------------------------------

    /** The disposition the ledger stored for the newest inbound message with exactly these bytes. */
    public Optional<Outcome> outcomeOf(byte[] sent) {
        String hash = sha256(sent);
        return engine.ledger().read(s -> s.inbound().outcomeByContent(hash));
    }

    /**
     * Waits until every DFT the engine queued has been delivered (the outbox is empty), then returns every DFT the
     * billing receiver got so far, in arrival order, decoded as UTF-8 (the engine writes DFTs in UTF-8).
     */
    public List<String> dfts() {
        requireOwnedBilling();
        awaitOutboxEmpty(Duration.ofSeconds(20));
        List<String> out = new ArrayList<>();
        for (ReceivedMessage m : received) {
            try {
                out.add(Files.readString(m.file(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The delivered DFTs whose FT1-23 (filler order number, entity identifier) is {@code filler}. */
    public List<String> dftsForFiller(String filler) {
        return dfts().stream().filter(d -> Er7.of(d).get("FT1-23-1")
                .equals(filler)).toList();
    }

    public void awaitOutboxEmpty(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!engine.ledger().undelivered().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("outbox not delivered within " + timeout + ": "
                        + engine.ledger().undelivered().size() + " DFT(s) left");
            }
            sleep(20);
        }
    }

    /** One outbox row as the ledger holds it. */
    public record Row(long id, String controlId, String orderKey, String status, int attempts, String lastError) {
    }

    /** Every outbox row, oldest first. */
    public List<Row> outbox() throws SQLException {
        return outbox(ledgerUrl());
    }

    public static List<Row> outbox(String url) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (java.sql.Connection c = DriverManager.getConnection(url, "sa", "");
             PreparedStatement ps = c.prepareStatement("SELECT id, control_id, order_key, status, attempts, last_error"
                     + " FROM outbox ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                        rs.getString(6)));
            }
        }
        return rows;
    }

    public List<Row> outboxFor(String placer) throws SQLException {
        return outbox().stream().filter(r -> r.orderKey().contains(placer)).toList();
    }

    public static String sha256(byte[] raw) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            template.close();
        } catch (Exception ignored) {
            // releasing producers only
        }
        client.stop();
        engine.close();
        if (billing != null) {
            billing.close();
        }
    }

    // ---- value types --------------------------------------------------------------------------------------------

    /** An ACK as received: raw bytes plus field access by HAPI path ("MSA-1", "ERR-3-1", "MSH-12"). */
    public record Ack(byte[] bytes) {
        public String field(String path) {
            return Er7.of(bytes).get(path);
        }

        public String msa1() {
            return field("MSA-1");
        }

        public String msa2() {
            return field("MSA-2");
        }

        /** ERR-2 whole (segment^sequence^field), "" when absent. */
        public String errorLocation() {
            return Er7.of(bytes).field("ERR-2");
        }

        /** ERR-3-1 (v2.5+ layout), "" when absent. */
        public String err3() {
            return field("ERR-3-1");
        }

        /** The segments of the ACK, e.g. {@code ["MSH|…", "MSA|…", "ERR|…"]}. */
        public List<String> segments() {
            return Er7.of(bytes).segments();
        }

        /**
         * The ERR segment split into fields at the field separator the ACK declares (index = field number, so the
         * list's size shows how many fields were sent), or an empty list.
         */
        public List<String> errFields() {
            Er7 ack = Er7.of(bytes);
            String separator = ack.delimiters().map(d -> String.valueOf(d.field())).orElse("|");
            return ack.segments().stream().filter(s -> s.startsWith("ERR" + separator)).findFirst()
                    .map(s -> List.of(s.split(Pattern.quote(separator), -1))).orElse(List.of());
        }

        public String text(Charset charset) {
            return new String(bytes, charset);
        }

        @Override
        public String toString() {
            return text(StandardCharsets.ISO_8859_1).replace('\r', '\n');
        }
    }

    /** One MLLP connection; framing done here, everything else is a real TCP socket. */
    public static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        public Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        public void write(byte[] payload) throws IOException {
            byte[] frame = new byte[payload.length + 3];
            frame[0] = VT;
            System.arraycopy(payload, 0, frame, 1, payload.length);
            frame[frame.length - 2] = FS;
            frame[frame.length - 1] = CR;
            out.write(frame);
            out.flush();
        }

        /** The next framed answer, or empty when none arrives within {@code wait} (the connection stays open). */
        public Optional<Ack> read(Duration wait) throws IOException {
            socket.setSoTimeout((int) wait.toMillis());
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            boolean started = false;
            try {
                while (true) {
                    int b = in.read();
                    if (b < 0) {
                        throw new IOException("connection closed by the engine");
                    }
                    if (!started) {
                        started = b == VT;
                        continue;
                    }
                    if (b == FS) {
                        int cr = in.read();
                        if (cr != CR) {
                            throw new IOException("frame not ended by FS CR");
                        }
                        return Optional.of(new Ack(buf.toByteArray()));
                    }
                    buf.write(b);
                }
            } catch (SocketTimeoutException e) {
                if (started) {
                    throw new IOException("partial frame: " + buf.size() + " bytes, then silence", e);
                }
                return Optional.empty();
            }
        }

        public Ack exchange(byte[] payload, Duration wait) throws IOException {
            write(payload);
            return read(wait).orElseThrow(() -> new AssertionError("no ACK within " + wait));
        }

        public boolean isOpen() {
            return !socket.isClosed() && socket.isConnected();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
