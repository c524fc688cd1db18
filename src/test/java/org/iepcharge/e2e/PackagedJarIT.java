package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import ca.uhn.hl7v2.AcknowledgmentCode;
import org.iepcharge.billing.local.BillingReceiver;
import org.iepcharge.cli.MllpSender;
import org.iepcharge.cli.SendOutcome;
import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.LabMessages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;



/**
 * The packaged application as an operator starts it: {@code java -jar iep-charge-router.jar run} in its own process,
 * configured only by -D settings (temporary data dir, free loopback ports, the project's routes folder), billing over
 * MLLP to a receiver this test owns. An IEP ORM must be answered AA, and ORM + final ORU must reach billing as a DFT.
 * And the README's own commands, copied as a new user runs them: from a folder that is not the clone, with the jar
 * named by its absolute path (only the ports are not the README's, so tests never collide).
 */
class PackagedJarIT {
    private static final String LISTENING = "IEP charge router listening for the LIS on";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void theJarStartsAnswersAnIepOrmWithAaAndDeliversTheDft() throws Exception {
        Path jar = jar();
        int inboundPort = EngineHarness.freePort();
        Path log = tmp.resolve("engine.log");
        try (BillingReceiver billing = new BillingReceiver()) {
            billing.start(EngineHarness.freePort(), tmp.resolve("billing"), AcknowledgmentCode.AA);
            Map<String, String> settings = EngineHarness.settings(tmp, EngineHarness.projectRoutes(), billing.port(),
                    inboundPort);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.addAll(List.of("-jar", jar.toString(), "run"));
            Process engine = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try {
                awaitListening(engine, log);
                assertThat(Files.readString(log)).contains("Routes: billing-outbound.camel.yaml,"
                        + " error-handling.camel.yaml, ledger-retention.camel.yaml, lis-inbound.camel.yaml from folder "
                        + EngineHarness.projectRoutes());
                try (MllpSender sender = new MllpSender("127.0.0.1", inboundPort, 20_000)) {
                    SendOutcome orm = sender.send(LabMessages.orm("2.5.1", "JAR-ORM-1", "JARPL1")
                            .getBytes(StandardCharsets.UTF_8));
                    assertThat(orm.ackCode()).as(orm.toString()).isEqualTo("AA");
                    assertThat(orm.ackControlId()).isEqualTo("JAR-ORM-1");

                    SendOutcome oru = sender.send(LabMessages.oru("2.5.1", "JAR-ORU-1", "JARPL1", "JARFL1", "F")
                            .getBytes(StandardCharsets.UTF_8));
                    assertThat(oru.ackCode()).as(oru.toString()).isEqualTo("AA");
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (billing.receivedCount() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(billing.receivedCount()).as("DFTs delivered by the packaged engine").isEqualTo(1);
            } finally {
                engine.destroy();
                if (!engine.waitFor(20, TimeUnit.SECONDS)) {
                    engine.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            assertThat(Files.readString(log)).as("engine log").contains("IEP charge router stopped");
        }
    }

    /** What a command printed and returned. */
    private record Run(int exit, String out, String err) {
    }

    /** {@code java [jvmArgs] -jar <absolute jar> args…} in {@code dir}, as a user types it. */
    private static Run jarCommand(Path dir, List<String> jvmArgs, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", jar().toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("did not finish: " + command);
        }
        Run run = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    /**
     * The README's walk-through from an empty folder: {@code run} on its defaults (routes from inside the jar, local
     * billing, ledger under ./data), {@code send testdata/iep --port P} (the folder's README.md is listed and
     * skipped), the DFT filed under data/billing, {@code explain} printing its decision, and a second {@code run} on
     * the same port stopping in one line without creating a ledger.
     */
    @Test
    void theReadmeWalkThroughWorksFromAnyFolder() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("somewhere-else"));
        copyTree(EngineHarness.projectDir().resolve("testdata/iep"), work.resolve("testdata/iep"));
        int port = EngineHarness.freePort();
        int billingPort = EngineHarness.freePort();
        // The console too on a free port (its default 8575 may be taken by another engine on this machine).
        List<String> ports = List.of("-Diep.inbound.port=" + port, "-Diep.billing.port=" + billingPort,
                "-Diep.http.port=" + EngineHarness.freePort());
        Path log = tmp.resolve("run.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ports);
        command.addAll(List.of("-jar", jar().toAbsolutePath().toString(), "run"));
        Process engine = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            awaitListening(engine, log);
            assertThat(Files.readString(log)).contains("Routes: billing-outbound.camel.yaml, error-handling.camel.yaml,"
                    + " ledger-retention.camel.yaml, lis-inbound.camel.yaml built into the jar");

            Run send = jarCommand(work, List.of(), "send", "testdata/iep", "--port", String.valueOf(port));
            assertThat(send.exit()).as(send.toString()).isZero();
            assertThat(send.out()).contains(
                    "skipped testdata/iep/README.md: no MSH segment",
                    "testdata/iep/01-orm-nw-v251.hl7 #1 MSH-10=ORM-0001 MSA-1=AA",
                    "testdata/iep/02-oru-final-v251.hl7 #1 MSH-10=ORU-0001 MSA-1=AA",
                    "AA 2, AE 0, AR 0, no answer 0");

            Path billing = work.resolve("data/billing");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            List<Path> filed = List.of();
            while (filed.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                filed = hl7Files(billing);
            }
            assertThat(filed).extracting(f -> f.getFileName().toString())
                    .containsExactly("000001-IEPDFT000000000001.hl7");
            assertThat(Files.readString(filed.get(0))).contains("DFT^P03", "86320");

            Run explain = jarCommand(work, List.of(), "explain", "testdata/iep");
            assertThat(explain.exit()).as(explain.toString()).isZero();
            assertThat(explain.out()).contains("01-orm-nw-v251.hl7", "02-oru-final-v251.hl7", "answer: AA",
                    "CPT 86320");

            Path otherData = tmp.resolve("other-data");
            Run second = jarCommand(work, List.of("-Diep.inbound.port=" + port,
                    "-Diep.billing.port=" + EngineHarness.freePort(), "-Diep.dataDir=" + otherData), "run");
            assertThat(second.exit()).as(second.toString()).isEqualTo(2);
            assertThat(second.out()).isEmpty();
            assertThat(second.err().strip()).isEqualTo("iep-charge-router: Setting iep.inbound.port = " + port
                    + ": port " + port + " on 0.0.0.0 is already in use by pid " + engine.pid() + " (java); stop"
                    + " that process or set iep.inbound.port to a free port");
            assertThat(otherData).as("the ledger is not touched before the port is known free").doesNotExist();
        } finally {
            engine.destroy();
            if (!engine.waitFor(20, TimeUnit.SECONDS)) {
                engine.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(Files.readString(log)).contains("IEP charge router stopped");
    }

    /** {@code receive} files and answers what {@code send} sends, one line per message on its stdout. */
    @Test
    void receiveFilesWhatSendSends() throws Exception {
        int port = EngineHarness.freePort();
        Path out = tmp.resolve("received");
        Path stdout = tmp.resolve("receive.out");
        Path stderr = tmp.resolve("receive.err");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar().toAbsolutePath().toString(), "receive", "--port", String.valueOf(port), "--out", out.toString());
        Process receive = new ProcessBuilder(command).directory(tmp.toFile()).redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile()).start();
        try {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!Files.readString(stderr).contains("listening on") && System.nanoTime() < deadline) {
                assertThat(receive.isAlive()).as(Files.readString(stderr)).isTrue();
                Thread.sleep(100);
            }
            Run send = jarCommand(tmp, List.of(), "send",
                    EngineHarness.projectDir().resolve("testdata/iep/01-orm-nw-v251.hl7").toString(), "--port",
                    String.valueOf(port));
            assertThat(send.exit()).as(send.toString()).isZero();
            assertThat(send.out()).contains("MSH-10=ORM-0001 MSA-1=AA", "AA 1, AE 0, AR 0, no answer 0");
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.readString(stdout).contains("ORM-0001") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(stdout)).contains("000001-ORM-0001.hl7 MSH-10=ORM-0001 ORM^O01 answered AA");
            assertThat(out.resolve("000001-ORM-0001.hl7")).isRegularFile();
        } finally {
            receive.destroy();
            if (!receive.waitFor(20, TimeUnit.SECONDS)) {
                receive.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(Files.readString(stderr)).contains("stopped: received 1, redeliveries 0");
    }

    /** {@code <command> --help}, as the README documents it, for every command of the jar. */
    @Test
    void everyCommandOfTheJarHasHelp() throws Exception {
        for (String command : List.of("run", "send", "receive", "outbox", "holds", "explain", "prune", "bench",
                "http-password")) {
            Run help = jarCommand(tmp, List.of(), command, "--help");
            assertThat(help.exit()).as(command + ": " + help).isZero();
            assertThat(help.out()).as(command).startsWith("Usage: iep-charge-router " + command);
            assertThat(help.err()).as(command).isEmpty();
        }
    }

    @Test
    void aMisspeltSettingStopsTheJarNamingTheClosestKey() throws Exception {
        Path data = tmp.resolve("data");
        Run run = jarCommand(tmp, List.of("-Diep.billing.tiemoutMillis=5", "-Diep.dataDir=" + data), "run");
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("iep-charge-router: Unknown setting iep.billing.tiemoutMillis (system"
                + " property -Diep.billing.tiemoutMillis): no such setting; did you mean iep.billing.timeoutMillis?");
        assertThat(data).doesNotExist();
    }

    private static List<Path> hl7Files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".hl7")).sorted().toList();
        }
    }

    private static Path jar() {
        String configured = System.getProperty("iep.test.jar");
        assertThat(configured).as("system property iep.test.jar (set by failsafe in the pom)").isNotBlank();
        Path jar = Path.of(configured);
        assertThat(jar).as("packaged jar (run mvn verify / package first)").isRegularFile();
        return jar;
    }

    private static void awaitListening(Process engine, Path log) throws IOException, InterruptedException {
        awaitLine(engine, log, LISTENING);
        // Logging is asynchronous: the lines after "listening" (routes, billing) follow it shortly.
        awaitLine(engine, log, "Billing: ");
    }

    private static void awaitLine(Process engine, Path log, String line) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (text.contains(line)) {
                return;
            }
            if (!engine.isAlive()) {
                throw new AssertionError("engine exited with " + engine.exitValue() + " before listening:\n" + text);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + line + "' within " + START_TIMEOUT + ":\n" + Files.readString(log));
    }
}
