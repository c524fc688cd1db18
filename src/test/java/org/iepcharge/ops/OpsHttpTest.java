package org.iepcharge.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.LabMessages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator side over real HTTP against a running engine: what is open (health), what is not (everything else),
 * what /metrics counts, readiness following the ledger, billing outage as degraded, and audited actions.
 */
class OpsHttpTest {
    private static final String PASSWORD = "correct horse battery";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private EngineHarness engine;
    private int port;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private void start(Map<String, String> extra) throws Exception {
        port = EngineHarness.freePort();
        Map<String, String> s = new HashMap<>(Map.of("iep.http.enabled", "true", "iep.http.port",
                String.valueOf(port), "iep.http.user", "analyst", "iep.http.password", PASSWORD));
        s.putAll(extra);
        engine = EngineHarness.start(EngineHarness.Transport.NETTY, dir, s);
    }

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static final String[] AUTH = {"Authorization", basic("analyst", PASSWORD)};

    @Test
    void healthIsOpenEverythingElseAnswers401WithoutData() throws Exception {
        start(Map.of());
        assertThat(engine.send(LabMessages.order("OPS-401", "PL401", "MRN-401")).msa1()).isEqualTo("AA");

        HttpResponse<String> ready = get("/observe/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"UP\"", "\"name\":\"ledger\"", "\"name\":\"lis-listener\"",
                "\"name\":\"rules\"");
        assertThat(get("/observe/health/live").statusCode()).isEqualTo(200);
        // A scraper signs in with Basic before the guessing below starts.
        assertThat(get("/api/overview", AUTH).statusCode()).isEqualTo(200);
        assertThat(post("/login", "{\"user\":\"analyst\",\"password\":\"wrong\"}").statusCode()).isEqualTo(401);

        for (String path : List.of("/api/overview", "/api/messages?controlId=OPS-401", "/api/messages/1",
                "/api/holds", "/api/outbox", "/api/audit", "/metrics", "/console/", "/console/app.js")) {
            for (String[] headers : List.of(new String[0], new String[] {"Authorization", basic("analyst", "wrong")},
                    new String[] {"Authorization", basic("someone", PASSWORD)},
                    new String[] {"Cookie", OpsAuth.COOKIE + "=forged"})) {
                HttpResponse<String> r = get(path, headers);
                assertThat(r.statusCode()).as(path + " " + List.of(headers)).isEqualTo(401);
                assertThat(r.body()).doesNotContain("OPS-401", "MRN-401", "PL401", "iep_inbound");
            }
        }
        assertThat(get("/api/overview").headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).startsWith("Basic"));
        // Eighteen wrong Basic headers from this address later, its sign-ins wait, right password or not...
        HttpResponse<String> waiting = post("/login", "{\"user\":\"analyst\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(waiting.statusCode()).isEqualTo(429);
        assertThat(waiting.headers().firstValue("Retry-After")).hasValueSatisfying(
                v -> assertThat(Long.parseLong(v)).isBetween(1L, 900L));
        assertThat(waiting.headers().firstValue("Set-Cookie")).isEmpty();
        // ...while the scraper whose header matched before is still served.
        HttpResponse<String> found = get("/api/messages?controlId=OPS-401", AUTH);
        assertThat(found.statusCode()).isEqualTo(200);
        assertThat(found.body()).contains("\"controlId\":\"OPS-401\"");
    }

    @Test
    void aSignedInSessionSeesTheMessageAndItsDecision() throws Exception {
        start(Map.of());
        assertThat(engine.send(LabMessages.order("OPS-ORM", "PL7", "MRN-7")).msa1()).isEqualTo("AA");
        assertThat(engine.send(LabMessages.finalResult("OPS-ORU", "PL7", "FL7", "MRN-7")).msa1()).isEqualTo("AA");
        assertThat(engine.dfts()).hasSize(1);

        HttpResponse<String> login = post("/login", "{\"user\":\"analyst\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(login.statusCode()).isEqualTo(200);
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        assertThat(cookie).startsWith(OpsAuth.COOKIE + "=");

        HttpResponse<String> byOrder = get("/api/messages?order=PL7", "Cookie", cookie);
        assertThat(byOrder.body()).contains("OPS-ORM", "OPS-ORU");
        HttpResponse<String> byPatient = get("/api/messages?patient=MRN-7%5EMAINLAB&outcome=charged", "Cookie",
                cookie);
        assertThat(byPatient.body()).contains("OPS-ORU").doesNotContain("OPS-ORM");
        Matcher id = Pattern.compile("\"id\":(\\d+),\"controlId\":\"OPS-ORU\"").matcher(byOrder.body());
        assertThat(id.find()).isTrue();

        HttpResponse<String> detail = get("/api/messages/" + id.group(1), "Cookie", cookie);
        assertThat(detail.statusCode()).isEqualTo(200);
        assertThat(detail.body()).contains("\"outcome\":\"CHARGED\"", "OBX|1|TX|13169-8", "MSA|AA|OPS-ORU",
                "decision (", "\"status\":\"DELIVERED\"", "answered AA");
        // Explained as `explain` does given the order and then the result: the payer comes from the order's IN1.
        assertThat(detail.body()).contains("#1: ORM^O01 MSH-10 OPS-ORM", "#2: ORU^R01 MSH-10 OPS-ORU")
                .doesNotContain("payer unknown");

        assertThat(post("/logout", "", "Cookie", cookie).statusCode()).isEqualTo(200);
        assertThat(get("/api/messages?order=PL7", "Cookie", cookie).statusCode()).isEqualTo(401);
    }

    @Test
    void metricsParseAsPrometheusTextAndCountWhatWasSent() throws Exception {
        start(Map.of());
        String orm = LabMessages.order("M-1", "PLM", "MRN-M");
        List<String> acks = List.of(
                engine.send(orm).msa1(),
                engine.send(LabMessages.finalResult("M-2", "PLM", "FLM", "MRN-M")).msa1(),
                engine.send(orm).msa1(),
                engine.send(LabMessages.unsupportedVersion("M-3")).msa1());
        assertThat(acks).containsExactly("AA", "AA", "AA", "AR");
        int delivered = engine.dfts().size();
        assertThat(delivered).isEqualTo(1);

        HttpResponse<String> r = get("/metrics", AUTH);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("text/plain"));
        Map<String, Double> samples = parsePrometheus(r.body());

        assertThat(sum(samples, "iep_inbound_messages_total{")).isEqualTo(4.0);
        assertThat(sum(samples, "iep_inbound_messages_total{ack=\"AA\"")).isEqualTo(3.0);
        assertThat(sum(samples, "iep_inbound_messages_total{ack=\"AR\"")).isEqualTo(1.0);
        assertThat(sum(samples, "iep_inbound_messages_total{ack=\"AA\",outcome=\"CHARGED\",type=\"ORU^R01\"}"))
                .isEqualTo(1.0);
        assertThat(samples.get("iep_inbound_resends_total")).isEqualTo(1.0);
        assertThat(samples.get("iep_inbound_ack_time_seconds_count")).isEqualTo(4.0);
        assertThat(sum(samples, "iep_inbound_ack_time_seconds_bucket{")).isPositive();
        assertThat(samples.get("iep_billing_attempts_total{verdict=\"DELIVERED\"}")).isEqualTo((double) delivered);
        assertThat(samples.get("iep_billing_answer_time_seconds_count")).isEqualTo((double) delivered);
        assertThat(sum(samples, "iep_ledger_commit_time_seconds_count")).isPositive();
        assertThat(sum(samples, "iep_ledger_commit_batch_count")).isPositive();
        assertThat(samples.get("iep_outbox_depth{status=\"PENDING\"}")).isEqualTo(0.0);
        assertThat(samples.get("iep_outbox_oldest_age_seconds")).isEqualTo(0.0);
        assertThat(samples.keySet()).anySatisfy(k -> assertThat(k).startsWith("jvm_memory_used_bytes{"));
        assertThat(samples.keySet()).anySatisfy(k -> assertThat(k).startsWith("camel_exchanges_total{"));
        // Codes only in labels: no patient, order or control ID.
        assertThat(r.body()).doesNotContain("MRN-M", "PLM", "FLM", "M-1", "M-2", "Doe");
    }

    @Test
    void readinessFollowsTheLedgerFileAndLivenessDoesNot() throws Exception {
        start(Map.of());
        Path file = dir.resolve("data").resolve("ledger.db");
        Path aside = dir.resolve("ledger.db.aside");
        assertThat(get("/observe/health/ready").statusCode()).isEqualTo(200);

        Files.move(file, aside);
        try {
            HttpResponse<String> down = get("/observe/health/ready");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("\"status\":\"DOWN\"");
            assertThat(get("/observe/health/live").statusCode()).isEqualTo(200);
        } finally {
            Files.move(aside, file);
        }
        assertThat(get("/observe/health/ready").statusCode()).isEqualTo(200);

        // Made unreadable in place (chmod a-r): not ready, and ready again once readable.
        java.util.Set<java.nio.file.attribute.PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        Files.setPosixFilePermissions(file, java.util.Set.of());
        try {
            assertThat(get("/observe/health/ready").statusCode()).isEqualTo(503);
        } finally {
            Files.setPosixFilePermissions(file, mode);
        }
        assertThat(get("/observe/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void aBillingOutageIsDegradedButStillReady() throws Exception {
        start(Map.of("iep.billing.port", String.valueOf(EngineHarness.freePort()), "iep.billing.retryFirstMillis",
                "50", "iep.billing.timeoutMillis", "500"));
        assertThat(engine.send(LabMessages.order("B-1", "PLB", "MRN-B")).msa1()).isEqualTo("AA");
        assertThat(engine.send(LabMessages.finalResult("B-2", "PLB", "FLB", "MRN-B")).msa1()).isEqualTo("AA");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> ready = get("/observe/health/ready?data=true");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"billing.state\":\"degraded\"", "\"outbox.pending\":1",
                    "outbox.oldestUndeliveredSeconds");
        });
        // Still accepting.
        assertThat(engine.send(LabMessages.order("B-3", "PLB2", "MRN-B2")).msa1()).isEqualTo("AA");
        Map<String, Double> samples = parsePrometheus(get("/metrics", AUTH).body());
        assertThat(samples.get("iep_outbox_depth{status=\"PENDING\"}")).isEqualTo(1.0);
        assertThat(sum(samples, "iep_billing_attempts_total{verdict=\"RETRY\"}")).isPositive();
    }

    @Test
    void actionsNeedAReasonTheConsoleHeaderAndLeaveAnAuditRecord() throws Exception {
        start(Map.of());
        // A result with no order before it: payer unknown, held for an analyst.
        assertThat(engine.send(LabMessages.finalResult("H-1", "PLH", "FLH", "MRN-H")).msa1()).isEqualTo("AA");
        String holds = get("/api/holds", AUTH).body();
        Matcher id = Pattern.compile("\"id\":(\\d+),\"reason\":\"PAYER_UNKNOWN\"").matcher(holds);
        assertThat(id.find()).as(holds).isTrue();
        String release = "/api/holds/" + id.group(1) + "/discard";

        assertThat(post(release, "{}", AUTH).statusCode()).isEqualTo(400);
        assertThat(post(release, "{\"reason\":\"  \"}", AUTH).statusCode()).isEqualTo(400);
        String cookie = post("/login", "{\"user\":\"analyst\",\"password\":\"" + PASSWORD + "\"}").headers()
                .firstValue("Set-Cookie").orElseThrow().split(";")[0];
        assertThat(post(release, "{\"reason\":\"test order\"}", "Cookie", cookie).statusCode()).isEqualTo(403);
        assertThat(get("/api/audit", AUTH).body()).isEqualTo("[]");

        HttpResponse<String> done = post(release, "{\"reason\":\"test order, never billed\"}", "Cookie", cookie,
                OpsRoutes.CONSOLE_HEADER, "1", "Content-Type", "application/json");
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).contains("\"done\":true", "DISCARDED");
        HttpResponse<String> again = post(release, "{\"reason\":\"twice\"}", AUTH);
        assertThat(again.statusCode()).isEqualTo(409);

        String audit = get("/api/audit", AUTH).body();
        assertThat(audit).contains("\"actor\":\"analyst\"", "\"action\":\"HOLD_DISCARD\"",
                "\"target\":\"hold " + id.group(1) + "\"", "\"reason\":\"test order, never billed\"",
                "\"result\":\"DISCARDED\"", "\"reason\":\"twice\"", "\"result\":\"NOT_OPEN\"");
        assertThat(get("/api/holds", AUTH).body()).isEqualTo("[]");
    }

    @Test
    void aParkedDftIsRetriedFromTheApiWithAReasonAndDelivered() throws Exception {
        start(Map.of());
        engine.billing().setAnswer(ca.uhn.hl7v2.AcknowledgmentCode.AE, ca.uhn.hl7v2.ErrorCode.DATA_TYPE_ERROR);
        assertThat(engine.send(LabMessages.order("P-1", "PLP", "MRN-P")).msa1()).isEqualTo("AA");
        assertThat(engine.send(LabMessages.finalResult("P-2", "PLP", "FLP", "MRN-P")).msa1()).isEqualTo("AA");
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/api/outbox", AUTH).body().contains("PARKED"));
        Matcher id = Pattern.compile("\\{\"id\":(\\d+),").matcher(get("/api/outbox", AUTH).body());
        assertThat(id.find()).isTrue();
        String retry = "/api/outbox/" + id.group(1) + "/retry";
        assertThat(get("/observe/health/ready?data=true").body()).contains("\"billing.state\":\"degraded\"",
                "\"outbox.parked\":1");
        assertThat(parsePrometheus(get("/metrics", AUTH).body()))
                .containsEntry("iep_billing_attempts_total{verdict=\"PARK\"}", 1.0)
                .containsEntry("iep_outbox_depth{status=\"PARKED\"}", 1.0);

        assertThat(post(retry, "{}", AUTH).statusCode()).isEqualTo(400);
        engine.billing().setAnswer(ca.uhn.hl7v2.AcknowledgmentCode.AA);
        HttpResponse<String> done = post(retry, "{\"reason\":\"billing fixed the charge code\"}", AUTH);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).contains("queued again for billing");
        // Refused once, then accepted: the same DFT twice at billing, nothing left in the outbox.
        List<String> received = engine.dfts();
        assertThat(received).hasSize(2);
        assertThat(received.get(1)).isEqualTo(received.get(0));
        assertThat(get("/api/outbox", AUTH).body()).isEqualTo("[]");
        assertThat(post("/api/outbox/" + id.group(1) + "/discard", "{\"reason\":\"late\"}", AUTH).statusCode())
                .isEqualTo(409);
        assertThat(get("/api/audit", AUTH).body()).contains("\"action\":\"DFT_RETRY\"",
                "\"reason\":\"billing fixed the charge code\"", "\"result\":\"QUEUED\"",
                "\"action\":\"DFT_DISCARD\"", "\"result\":\"NOT_PARKED\"");
    }

    /** Every sample line of a Prometheus text exposition; fails on a line that is not one. */
    static Map<String, Double> parsePrometheus(String text) {
        Pattern sample = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})?) (-?[0-9.eE+-]+|NaN|[+-]Inf)$");
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                continue;
            }
            Matcher m = sample.matcher(line);
            assertThat(m.matches()).as("Prometheus sample line: " + line).isTrue();
            String v = m.group(3);
            out.put(m.group(1), v.equals("NaN") ? Double.NaN : v.endsWith("Inf")
                    ? (v.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : Double.parseDouble(v));
        }
        return out;
    }

    private static double sum(Map<String, Double> samples, String prefix) {
        return samples.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToDouble(Map.Entry::getValue).sum();
    }
}
