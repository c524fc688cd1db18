package org.iepcharge.camel;

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

import ca.uhn.hl7v2.AcknowledgmentCode;
import org.iepcharge.billing.local.BillingReceiver;
import org.iepcharge.cli.MllpSender;
import org.iepcharge.cli.SendOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application as an operator starts it: {@code java -jar iep-charge-router.jar run} in its own process,
 * configured only by -D settings (temporary data dir, free loopback ports, the project's routes folder), billing over
 * MLLP to a receiver this test owns. An IEP ORM must be answered AA, and ORM + final ORU must reach billing as a DFT.
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

    private static Path jar() {
        String configured = System.getProperty("iep.test.jar");
        assertThat(configured).as("system property iep.test.jar (set by failsafe in the pom)").isNotBlank();
        Path jar = Path.of(configured);
        assertThat(jar).as("packaged jar (run mvn verify / package first)").isRegularFile();
        return jar;
    }

    private static void awaitListening(Process engine, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (text.contains(LISTENING)) {
                return;
            }
            if (!engine.isAlive()) {
                throw new AssertionError("engine exited with " + engine.exitValue() + " before listening:\n" + text);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + LISTENING + "' within " + START_TIMEOUT + ":\n" + Files.readString(log));
    }
}
