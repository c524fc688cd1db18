package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import org.iepcharge.billing.local.BillingReceiver;
import org.iepcharge.hl7.Er7;
import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.Hl7TestInputs;
import org.iepcharge.testkit.LabMessages;
import org.iepcharge.testkit.RawMllp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;



/**
 * No PHI in the logs. The packaged jar runs with the shipped logging configuration ({@code EngineLogging}, in the jar,
 * everything to stderr), once per inbound transport (the shipped netty route and the documented camel-mllp
 * alternative), over the test data of several scenarios: accepted orders and results, AR (unsupported version,
 * unsupported type), AE (structures HAPI cannot parse), the same control ID with other content, 300 fuzzed mutations
 * of a message full of PHI (HAPI exception texts), a frame over the size limit, bytes outside a frame, and billing
 * refusing (AR, parked), failing (AE 207, retried) and absent (connection refused, retried).
 *
 * <p>All output is captured. It must not be empty and must name the control IDs sent; then every line, exception
 * texts and stack traces included, is scanned for the patients' names, MRNs and birth dates: zero hits.
 */
class PhiLogScanIT {
    private static final String LISTENING = "IEP charge router listening for the LIS on";
    /** PHI of the test data: distinctive on purpose, so a hit is a leak and not a coincidence. */
    static final String FAMILY = "Zarathustrova";
    static final String GIVEN = "Quillonette";
    static final String MRN = "QX88123MRN";
    static final String DOB = "19370704";
    static final List<String> PHI = List.of(FAMILY, GIVEN, MRN, DOB);

    @TempDir
    Path tmp;

    @Test
    void nettyRouteLogsNoPhi() throws Exception {
        scan(EngineHarness.Transport.NETTY);
    }

    @Test
    void camelMllpRouteLogsNoPhi() throws Exception {
        scan(EngineHarness.Transport.MLLP);
    }

    private void scan(EngineHarness.Transport transport) throws Exception {
        String p = transport == EngineHarness.Transport.NETTY ? "PN" : "PM";
        Path log = tmp.resolve("engine.log");
        List<String> expectedIds = new ArrayList<>();
        try (BillingReceiver billing = new BillingReceiver()) {
            int billingPort = EngineHarness.freePort();
            billing.start(billingPort, tmp.resolve("billing"), AcknowledgmentCode.AA);
            int inboundPort = EngineHarness.freePort();
            Map<String, String> settings = EngineHarness.settings(tmp, EngineHarness.routesFor(transport,
                    tmp.resolve("routes")), billingPort, inboundPort);
            settings.put("iep.inbound.maxFrameBytes", "4096");
            settings.put("iep.billing.timeoutMillis", "2000");
            settings.put("iep.billing.retryFirstMillis", "100");
            settings.put("iep.billing.retryMaxMillis", "300");
            Process engine = start(settings, log);
            try {
                // 1. Billing refuses the content (AR 102): the DFT is parked.
                billing.setAnswer(AcknowledgmentCode.AR, ErrorCode.DATA_TYPE_ERROR);
                order(inboundPort, p + "1", expectedIds);
                awaitBilling(billing, 1);
                // 2. Billing has trouble (AE 207): retried.
                billing.setAnswer(AcknowledgmentCode.AE, ErrorCode.APPLICATION_INTERNAL_ERROR);
                order(inboundPort, p + "2", expectedIds);
                awaitBilling(billing, 3);
                // 3. Billing away (connection refused), then back answering AA.
                long failedBefore = deliveryFailures(log);
                billing.stop();
                order(inboundPort, p + "3", expectedIds);
                // A positive signal instead of a fixed sleep: a delivery attempt failed while billing was away.
                awaitLog(log, () -> deliveryFailures(log) > failedBefore, "a failed delivery while billing is away");
                billing.start(billingPort, tmp.resolve("billing"), AcknowledgmentCode.AA);
                awaitBilling(billing, 2);

                try (RawMllp c = new RawMllp(inboundPort)) {
                    // AR: unsupported version and type; AE: structures HAPI cannot parse.
                    answer(c, msg(p + "-AR-VER", "ORM^O01^ORM_O01", "2.9", List.of(pid())), expectedIds);
                    answer(c, msg(p + "-AR-TYPE", "ADT^A01^ADT_A01", "2.5.1", List.of(pid())), expectedIds);
                    answer(c, msg(p + "-AE-1", "ORU^R01^ORU_R01", "2.5.1", List.of(pid(),
                            "OBR|1|X^LIS||13169-8^IEP^LN|||" + DOB + "||||||||||||||||||F",
                            "OBX|1|NM|13169-8^IEP^LN||" + FAMILY + "||||||F")), expectedIds);
                    answer(c, msg(p + "-AE-2", "ORM^O01^ORM_O01", "2.5.1", List.of(
                            "PID|1||" + MRN + "^^^MAINLAB^MR~" + GIVEN + "||" + FAMILY + "^" + GIVEN + "||" + DOB
                                    + "|F|||" + FAMILY + " Street 1^^" + GIVEN + "ville",
                            "ORC|NW|" + MRN + "^LIS", "OBR|1|" + FAMILY + "^LIS||" + GIVEN + "^" + DOB + "^LN|||"
                                    + DOB)), expectedIds);
                    // The same control ID again with other content.
                    answer(c, msg(p + "-AR-VER", "ORM^O01^ORM_O01", "2.5.1", List.of(pid())), new ArrayList<>());
                }
                fuzz(inboundPort, p);
                // Over the size limit, and bytes outside a frame: the connection is closed.
                try (RawMllp c = new RawMllp(inboundPort)) {
                    String big = msg(p + "-BIG", "ORM^O01^ORM_O01", "2.5.1", List.of(pid(), "NTE|1||"
                            + (FAMILY + " " + MRN + " ").repeat(300)));
                    c.write(RawMllp.frame(big));
                    c.read(Duration.ofSeconds(5));
                }
                try (RawMllp c = new RawMllp(inboundPort)) {
                    c.write((FAMILY + " " + MRN + " " + DOB + "\r").getBytes(StandardCharsets.US_ASCII));
                    c.write(RawMllp.frame(msg(p + "-OUTSIDE", "ORM^O01^ORM_O01", "2.5.1", List.of(pid()))));
                    c.read(Duration.ofSeconds(5));
                }
                // Before the scan for an absence (no PHI): wait until a last message was answered and logged, so the
                // log holds everything logged for what came before it.
                try (RawMllp c = new RawMllp(inboundPort)) {
                    answer(c, msg(p + "-LAST", "ORM^O01^ORM_O01", "2.5.1", List.of(pid())), expectedIds);
                }
                awaitLog(log, () -> Files.readString(log).contains(p + "-LAST ORM"), "the last message logged");
            } finally {
                engine.destroy();
                if (!engine.waitFor(30, TimeUnit.SECONDS)) {
                    engine.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        List<String> hits = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).toLowerCase(Locale.ROOT);
            for (String phi : PHI) {
                if (l.contains(phi.toLowerCase(Locale.ROOT))) {
                    hits.add("line " + (i + 1) + ": " + lines.get(i));
                }
            }
        }
        long warnings = lines.stream().filter(l -> l.contains(" WARN ")).count();
        long errors = lines.stream().filter(l -> l.contains(" ERROR ")).count();
        long traces = lines.stream().filter(l -> l.startsWith("\tat ")).count();
        System.out.printf("phi-scan %s: %d log lines (%d WARN, %d ERROR, %d stack-trace lines), %d control IDs"
                        + " expected, PHI hits %d%n", transport.name().toLowerCase(), lines.size(), warnings, errors,
                traces, expectedIds.size(), hits.size());
        hits.stream().limit(20).forEach(h -> System.out.println("  PHI: " + h));
        if (hits.isEmpty()) {
            lines.stream().filter(l -> l.contains(" ERROR ")).limit(10)
                    .forEach(l -> System.out.println("  ERROR line: " + l));
        }
        String all = String.join("\n", lines);
        assertThat(lines).as("engine log").isNotEmpty();
        assertThat(all).as("the log names the control IDs sent").contains(expectedIds);
        assertThat(hits).as("log lines with a patient name, MRN or birth date").isEmpty();
    }

    static String pid() {
        return "PID|1||" + MRN + "^^^MAINLAB^MR||" + FAMILY + "^" + GIVEN + "^Q||" + DOB + "|F";
    }

    static String msg(String controlId, String type, String version, List<String> segments) {
        List<String> s = new ArrayList<>();
        s.add("MSH|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261120083000||" + type + "|" + controlId + "|P|" + version);
        s.addAll(segments);
        return String.join("\r", s) + "\r";
    }

    /**
     * ORM NW + final ORU for the PHI patient: one DFT. Each order is collected on its own day ({@code 2026-11-1n}, n
     * the placer's last digit): the same patient, CPT and day from another order would be held as a same-day repeat
     * and send no DFT at all (which the billing steps below once waited for in vain, passing anyway).
     */
    private static void order(int port, String placer, List<String> ids) throws IOException {
        String collected = "2026111" + placer.charAt(placer.length() - 1) + "080000";
        String orm = LabMessages.join(List.of(
                LabMessages.msh("ORM^O01^ORM_O01", placer + "-ORM", "2.5.1"), pid(),
                LabMessages.seg("PV1", 1, "1", 2, "O", 3, "OUTPT^^^MAINLAB"),
                LabMessages.seg("IN1", 1, "1", 2, "MCR", 3, "00430", 4, "MEDICARE PART B", 22, "1"),
                LabMessages.seg("ORC", 1, "NW", 2, placer + "^LIS", 12, "1234567890^Welby^Marcus^^^^^^NPI"),
                LabMessages.obr(placer, "", LabMessages.IEP, collected, ""),
                LabMessages.seg("DG1", 1, "1", 3, "D47.2^Monoclonal gammopathy^I10", 6, "F")));
        String oru = LabMessages.join(List.of(
                LabMessages.msh("ORU^R01^ORU_R01", placer + "-ORU", "2.5.1"), pid(),
                LabMessages.seg("PV1", 1, "1", 2, "O", 3, "OUTPT^^^MAINLAB"),
                LabMessages.seg("ORC", 1, "RE", 2, placer + "^LIS", 3, "F" + placer + "^LAB"),
                LabMessages.obr(placer, "F" + placer + "^LAB", LabMessages.IEP, collected, "F"),
                LabMessages.seg("OBX", 1, "1", 2, "TX", 3, LabMessages.IEP, 5, "IgG kappa, patient " + FAMILY, 11,
                        "F")));
        try (RawMllp c = new RawMllp(port)) {
            answer(c, orm, ids);
            answer(c, oru, ids);
        }
    }

    private static void answer(RawMllp c, String message, List<String> ids) throws IOException {
        RawMllp.Answer a = c.exchange(message.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20));
        assertThat(a.isAck()).as("answer to %s", Er7.of(message).get("MSH-10"))
                .isTrue();
        ids.add(Er7.of(message).get("MSH-10"));
    }

    /** 300 mutations of a message full of PHI: whatever the engine answers, and whatever fails, the log stays clean. */
    private static void fuzz(int port, String p) throws IOException {
        byte[] seed = msg(p + "-FUZZ", "ORU^R01^ORU_R01", "2.5.1", List.of(pid(),
                "PV1|1|O|OUTPT^^^MAINLAB|||" + FAMILY + "^" + GIVEN,
                "ORC|RE|" + MRN + "^LIS|F" + MRN + "^LAB",
                "OBR|1|" + MRN + "^LIS|F" + MRN + "^LAB|13169-8^IEP^LN|||" + DOB + "||||||||||||||||||F",
                "OBX|1|TX|13169-8^IEP^LN||" + FAMILY + " " + GIVEN + " " + DOB + "||||||F",
                "NK1|1|" + FAMILY + "^" + GIVEN + "|SPO||||||||||||||" + DOB))
                .getBytes(StandardCharsets.UTF_8);
        Random r = new Random(99);
        RawMllp c = null;
        for (int i = 0; i < 300; i++) {
            if (c == null) {
                c = new RawMllp(port);
            }
            try {
                c.write(RawMllp.frame(Hl7TestInputs.mutate(seed, r)));
                RawMllp.Answer a = c.read(Duration.ofSeconds(5));
                if (a.kind() != RawMllp.Kind.FRAME) {
                    c.close();
                    c = null;
                }
            } catch (IOException e) {
                c.close();
                c = null;
            }
        }
        if (c != null) {
            c.close();
        }
    }

    private static void awaitBilling(BillingReceiver billing, int atLeast) throws Exception {
        awaitLog(null, () -> billing.receivedCount() >= atLeast, "billing received " + atLeast + " DFT(s)");
    }

    /** Log lines of delivery attempts that failed without an answer from billing (it was not listening). */
    private static long deliveryFailures(Path log) throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains(" not delivered (") && !l.contains("billing answered")).count();
    }

    private interface Condition {
        boolean met() throws Exception;
    }

    /** Waits up to 30 s for {@code condition}; fails naming {@code what} (and showing the log) if it never holds. */
    private static void awaitLog(Path log, Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.met()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 30 s for " + what + (log == null ? "" : "; log:\n"
                        + Files.readString(log)));
            }
            Thread.sleep(50);
        }
    }

    private Process start(Map<String, String> settings, Path log) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        String jar = System.getProperty("iep.test.jar");
        assertThat(jar).as("system property iep.test.jar (set by failsafe)").isNotBlank();
        command.addAll(List.of("-jar", jar, "run"));
        Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (text.contains(LISTENING)) {
                return p;
            }
            if (!p.isAlive()) {
                throw new AssertionError("engine exited before listening:\n" + text);
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new AssertionError("engine not listening within 90 s");
    }
}
