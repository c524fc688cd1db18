package org.iepcharge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.iepcharge.camel.Engine;
import org.iepcharge.camel.EngineSettings;
import org.iepcharge.cli.MllpSender;
import org.iepcharge.cli.SendOutcome;


/**
 * A real engine for tests: temp data dir, free loopback ports, the project's own {@code routes/} folder, billing over
 * MLLP to a peer the test controls, and short timeouts and retry delays. Also writes IEP ORM/ORU messages for any
 * placer number, and reads the outbox straight from the ledger.
 */
public final class EngineFixture implements AutoCloseable {
    /** Billing delays short enough that a retry or three fit in a test. */
    public static final int RETRY_FIRST_MILLIS = 100;
    public static final int RETRY_MAX_MILLIS = 400;
    public static final int BILLING_TIMEOUT_MILLIS = 1_000;

    private final Map<String, String> properties = new HashMap<>();
    private final int inboundPort;
    private final int billingPort;
    private Engine engine;
    private MllpSender lis;

    public EngineFixture(Path dataDir) throws IOException {
        inboundPort = freePort();
        billingPort = freePort();
        Path config = Files.writeString(Files.createDirectories(dataDir).resolve("empty.properties"), "");
        properties.put("iep.config", config.toString());
        properties.put("iep.dataDir", dataDir.toString());
        properties.put("iep.routes", projectDir().resolve("routes").toString());
        properties.put("iep.inbound.host", "127.0.0.1");
        properties.put("iep.inbound.port", String.valueOf(inboundPort));
        properties.put("iep.billing.mode", "mllp");
        properties.put("iep.billing.host", "127.0.0.1");
        properties.put("iep.billing.port", String.valueOf(billingPort));
        properties.put("iep.billing.timeoutMillis", String.valueOf(BILLING_TIMEOUT_MILLIS));
        properties.put("iep.billing.pollMillis", "50");
        properties.put("iep.billing.retryFirstMillis", String.valueOf(RETRY_FIRST_MILLIS));
        properties.put("iep.billing.retryMaxMillis", String.valueOf(RETRY_MAX_MILLIS));
        properties.put("iep.node", "test-node");
        // Fixtures run side by side: no console on the fixed default port.
        properties.put("iep.http.enabled", "false");
    }

    /** The project folder: set by the pom for surefire and failsafe, else the working directory. */
    public static Path projectDir() {
        return Path.of(System.getProperty("iep.test.projectDir", System.getProperty("user.dir")));
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** The settings as system properties (what {@code outbox} on the command line reads). */
    public Map<String, String> properties() {
        return properties;
    }

    public EngineFixture start() throws Exception {
        engine = Engine.start(EngineSettings.resolve(properties, Map.of()));
        lis = new MllpSender("127.0.0.1", inboundPort, 10_000);
        return this;
    }

    public Engine engine() {
        return engine;
    }

    public int billingPort() {
        return billingPort;
    }

    public String ledgerUrl() {
        return engine.settings().ledgerUrl();
    }

    /** Sends one message to the engine's LIS listener; the engine must accept it. */
    public void lisSends(String message) {
        SendOutcome outcome = lis.send(message.replace('\n', '\r').getBytes(StandardCharsets.UTF_8));
        assertThat(outcome.accepted()).as("LIS answer %s", outcome).isTrue();
    }

    /**
     * ORM NW then ORU final for one order: one charge DFT (the shipped rules charge on the final result). Each order
     * has its own patient: the same patient, CPT and date from another order would be held as a same-day repeat.
     */
    public void orderAndFinalResult(String placer) {
        lisSends(orm(placer));
        lisSends(oru(placer, "F", "20261120080000"));
    }

    public static String orm(String placer) {
        return "MSH|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261120083000||ORM^O01^ORM_O01|ORM-" + placer + "|P|2.5.1\n"
                + "PID|1||MRN-" + placer + "^^^MAINLAB^MR||Doe^Jane^Q||19580312|F\n"
                + "PV1|1|O|OUTPT^^^MAINLAB||||1234567890^Welby^Marcus\n"
                + "IN1|1|MCR|00430^^^CMS|MEDICARE PART B|||||||||||||||||||||1\n"
                + "ORC|NW|" + placer + "^LIS||||||||||1234567890^Welby^Marcus^^^^^^NPI|||||||||||1\n"
                + "OBR|1|" + placer + "^LIS||13169-8^Immunoelectrophoresis serum^LN|||20261120080000|||||||||"
                + "1234567890^Welby^Marcus^^^^^^NPI\n"
                + "DG1|1||D47.2^Monoclonal gammopathy^I10||||F\n";
    }

    /** An ORU for the order: status F (final) or C (corrected); {@code collected} is OBR-7. */
    public static String oru(String placer, String status, String collected) {
        String filler = "F" + placer;
        return "MSH|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261121100000||ORU^R01^ORU_R01|ORU-" + placer + "-" + status
                + collected + "|P|2.5.1\n"
                + "PID|1||MRN-" + placer + "^^^MAINLAB^MR||Doe^Jane^Q||19580312|F\n"
                + "PV1|1|O|OUTPT^^^MAINLAB\n"
                + "ORC|RE|" + placer + "^LIS|" + filler + "^LAB\n"
                + "OBR|1|" + placer + "^LIS|" + filler + "^LAB|13169-8^Immunoelectrophoresis serum^LN|||" + collected
                + "||||||||||||||||20261121095900|||" + status + "\n"
                + "OBX|1|TX|13169-8^Immunoelectrophoresis serum^LN||IgG kappa monoclonal protein identified||||||"
                + status + "\n";
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
        try (Connection c = DriverManager.getConnection(url, "sa", "");
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

    @Override
    public void close() {
        if (lis != null) {
            lis.close();
        }
        if (engine != null) {
            engine.close();
        }
    }
}
