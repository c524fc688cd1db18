package org.iepcharge.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.ServiceStatus;
import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.LabMessages;
import org.iepcharge.testkit.RawMllp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.iepcharge.capture.ChargeIds;
import org.iepcharge.config.EngineSettings;
import org.iepcharge.ledger.JdbcLedger;

/**
 * Start-up runs the ledger's migration and the built-in billing receiver on threads of their own, beside camel-main's
 * preparation, and opens the LIS listener before the console's HTTP server and the outbound route
 * (docs/operating.md "Start-up"). Whatever overlaps, the LIS port must not accept a connection before the ledger is
 * migrated — a LIS that gets in must find the engine ready to commit; a message that comes in before the rest has
 * started is answered after its commit and its DFT delivered once billing's route runs; and the health endpoint never
 * answers before the LIS listener is open.
 */
class StartupOrderTest {
    /** How long the ledger file stays locked after start-up begins (well inside SQLite's busy timeout of 10 s). */
    private static final long HOLD_MILLIS = 1_500;

    @TempDir
    Path dir;

    /** What the knocking client saw the first time the LIS port accepted it. */
    private record FirstAccept(Set<String> migratedVersions) {
    }

    /**
     * A client knocks on the LIS port from the moment {@code Engine.start} is called; the first time it gets in, it
     * reads the ledger file (read-only, beside the engine). The migration is held up on purpose, so a listener opened
     * before it ends would be caught.
     */
    @Test
    void theLisPortAcceptsOnlyOnceTheLedgerIsMigrated() throws Exception {
        int lisPort = EngineHarness.freePort();
        int billingPort = EngineHarness.freePort();
        Path data = dir.resolve("data");
        EngineSettings settings = settings(data, lisPort, billingPort, Map.of("iep.http.enabled", "false"));
        AtomicReference<FirstAccept> first = new AtomicReference<>();
        Thread knocker = new Thread(() -> {
            while (first.get() == null && !Thread.currentThread().isInterrupted()) {
                if (accepts(lisPort)) {
                    first.set(new FirstAccept(migratedVersions(data.resolve("ledger.db"))));
                    return;
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "lis-knocker");
        // The ledger's migration is held up by a write lock on its file, the way a slow disk or a large migration
        // would hold it: the LIS port must stay shut until the lock is gone and the migration done.
        Files.createDirectories(data);
        Connection blocker = java.sql.DriverManager.getConnection("jdbc:sqlite:" + data.resolve("ledger.db"));
        try (Statement st = blocker.createStatement()) {
            st.execute("BEGIN EXCLUSIVE");
        }
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(HOLD_MILLIS);
                blocker.close(); // rolls the open transaction back, releasing the lock
            } catch (InterruptedException | SQLException e) {
                Thread.currentThread().interrupt();
            }
        }, "ledger-lock-releaser");
        knocker.start();
        releaser.start();
        try (Engine engine = Engine.start(settings)) {
            knocker.join(10_000);
            assertThat(first.get()).as("the LIS port accepted the knocking client").isNotNull();
            assertThat(first.get().migratedVersions()).as("ledger migrations applied when the LIS port first accepted")
                    .isNotEmpty().isEqualTo(shippedVersions());
            assertThat(accepts(billingPort)).as("billing's stand-in listening once start-up returns").isTrue();
            assertThat(engine.camelContext().getRouteController().getRouteStatus(Engine.BILLING_TEMPLATE + "-1"))
                    .as("the outbound route started").isEqualTo(ServiceStatus.Started);
        } finally {
            knocker.interrupt();
            releaser.join();
        }
    }

    /**
     * The moment the LIS listener opens — before the console's HTTP server, billing's outbound route and the rest —
     * an order and its final result are sent: both are answered AA (each after its commit), the console's port does
     * not accept yet, and once start-up has finished the result's DFT reaches billing's stand-in on its first attempt.
     */
    @Test
    void aMessageSentAsTheLisPortOpensIsAnsweredBeforeTheConsoleStartsAndItsDftDelivered() throws Exception {
        int lisPort = EngineHarness.freePort();
        int httpPort = EngineHarness.freePort();
        Path data = dir.resolve("data");
        EngineSettings settings = settings(data, lisPort, EngineHarness.freePort(), Map.of(
                "iep.http.enabled", "true", "iep.http.host", "127.0.0.1", "iep.http.port", String.valueOf(httpPort)));
        List<String> answers = new ArrayList<>();
        AtomicReference<Boolean> consoleAccepted = new AtomicReference<>();
        Engine.StartStep<Void> whenListening = () -> {
            try (RawMllp lis = new RawMllp(lisPort)) {
                answers.add(lis.exchange(LabMessages.orm("S5").getBytes(StandardCharsets.UTF_8), ANSWER_WAIT).msa1());
                answers.add(lis.exchange(LabMessages.oru("S5", "F", LabMessages.COLLECTED)
                        .getBytes(StandardCharsets.UTF_8), ANSWER_WAIT).msa1());
            }
            consoleAccepted.set(accepts(httpPort));
            return null;
        };
        try (Engine engine = Engine.start(settings, Clock.systemDefaultZone(), ChargeIds.LEDGER_SEQUENCES,
                whenListening)) {
            assertThat(answers).as("order and result answered while the rest was still to start")
                    .containsExactly("AA", "AA");
            assertThat(consoleAccepted.get()).as("console port open before the rest started").isFalse();
            assertThat(accepts(httpPort)).as("console port open once start-up returns").isTrue();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    EngineHarness.outbox(JdbcLedger.sqliteFileUrl(data))).singleElement().satisfies(row -> {
                        assertThat(row.status()).isEqualTo("DELIVERED");
                        assertThat(row.attempts()).as("no attempt failed against a billing port not yet open")
                                .isEqualTo(1);
                    }));
            try (var files = Files.list(data.resolve("billing"))) {
                assertThat(files.filter(f -> f.toString().endsWith(".hl7")).count()).isEqualTo(1);
            }
        }
    }

    /**
     * A client knocks on the console's port from the moment {@code Engine.start} is called. The first time it gets in,
     * the LIS port already accepts; and the first answer of the readiness endpoint (a 404 while the server's routes are
     * still being added is not an answer) is UP with the engine's own checks in it — readiness never says UP for an
     * engine that cannot take a message.
     */
    @Test
    void theConsoleOpensOnlyAfterTheLisListenerAndItsFirstReadinessAnswerHasTheEngineChecks() throws Exception {
        int lisPort = EngineHarness.freePort();
        int httpPort = EngineHarness.freePort();
        EngineSettings settings = settings(dir.resolve("data"), lisPort, EngineHarness.freePort(), Map.of(
                "iep.http.enabled", "true", "iep.http.host", "127.0.0.1", "iep.http.port", String.valueOf(httpPort)));
        AtomicReference<Boolean> lisOpenAtFirstConsoleAccept = new AtomicReference<>();
        AtomicReference<java.net.http.HttpResponse<String>> firstReadiness = new AtomicReference<>();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        Thread knocker = new Thread(() -> {
            try {
                while (!accepts(httpPort)) {
                    Thread.sleep(1);
                }
                lisOpenAtFirstConsoleAccept.set(accepts(lisPort));
                java.net.http.HttpRequest ready = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + httpPort + "/observe/health/ready")).build();
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                java.net.http.HttpResponse<String> r;
                do {
                    r = http.send(ready, java.net.http.HttpResponse.BodyHandlers.ofString());
                } while (r.statusCode() == 404 && System.nanoTime() < deadline);
                firstReadiness.set(r);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "console-knocker");
        knocker.start();
        try (Engine engine = Engine.start(settings)) {
            knocker.join(10_000);
            assertThat(lisOpenAtFirstConsoleAccept.get()).as("LIS port open when the console port first accepted")
                    .isTrue();
            assertThat(firstReadiness.get()).as("readiness answered").isNotNull();
            assertThat(firstReadiness.get().statusCode()).isEqualTo(200);
            assertThat(firstReadiness.get().body()).contains("\"status\":\"UP\"",
                    "{\"name\":\"ledger\",\"status\":\"UP\"}", "{\"name\":\"lis-listener\",\"status\":\"UP\"}",
                    "{\"name\":\"rules\",\"status\":\"UP\"}");
        } finally {
            knocker.interrupt();
        }
    }

    /** How long a test waits for the engine's answer to one message. */
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(10);

    /** Settings of an engine with local billing on {@code billingPort}, the project's routes and {@code extra}. */
    private EngineSettings settings(Path data, int lisPort, int billingPort, Map<String, String> extra)
            throws IOException {
        Files.writeString(dir.resolve("none.properties"), "");
        Map<String, String> props = new java.util.HashMap<>(Map.of(
                "iep.dataDir", data.toString(),
                "iep.routes", EngineHarness.projectRoutes().toString(),
                "iep.inbound.host", "127.0.0.1",
                "iep.inbound.port", String.valueOf(lisPort),
                "iep.billing.mode", EngineSettings.MODE_LOCAL,
                "iep.billing.port", String.valueOf(billingPort),
                "iep.config", dir.resolve("none.properties").toString()));
        props.putAll(extra);
        return EngineSettings.resolve(props, Map.of());
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The versions of the SQLite ledger's migration files (target/classes in a test run). */
    private static Set<String> shippedVersions() throws Exception {
        Set<String> versions = new TreeSet<>();
        for (String folder : new String[] {"db/vendor/sqlite", "db/migration"}) {
            Path path = Path.of(StartupOrderTest.class.getClassLoader().getResource(folder).toURI());
            try (var files = Files.list(path)) {
                files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                        .forEach(n -> versions.add(n.substring(1, n.indexOf("__"))));
            }
        }
        return versions;
    }

    /** The versions Flyway recorded as applied; empty when there is no ledger file or no history table yet. */
    private static Set<String> migratedVersions(Path ledgerFile) {
        Set<String> versions = new TreeSet<>();
        if (!Files.exists(ledgerFile)) {
            return versions;
        }
        SQLiteConfig readOnly = new SQLiteConfig();
        readOnly.setReadOnly(true);
        try (Connection c = readOnly.createConnection("jdbc:sqlite:" + ledgerFile);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM flyway_schema_history WHERE success = 1")) {
            while (rs.next()) {
                versions.add(rs.getString(1));
            }
        } catch (SQLException e) {
            // No history table yet: nothing migrated.
        }
        return versions;
    }
}
