package org.iepcharge.camel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.component.mllp.MllpComponent;
import org.iepcharge.testkit.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.iepcharge.config.EngineSettings;


/** What the engine wires that no message flow would show: PHI-safe component settings, the routes loaded. */
class EngineWiringTest {

    @TempDir
    Path dir;

    @Test
    void mllpComponentNeverLogsPhiAndBothRoutesComeFromTheRouteFiles() throws Exception {
        String project = System.getProperty("iep.test.projectDir", ".");
        Map<String, String> props = Map.of(
                "iep.dataDir", dir.toString(),
                "iep.routes", Path.of(project, "routes").toString(),
                "iep.inbound.host", "127.0.0.1",
                "iep.inbound.port", String.valueOf(EngineHarness.freePort()),
                "iep.billing.port", String.valueOf(EngineHarness.freePort()),
                "iep.config", dir.resolve("none.properties").toString(),
                "iep.http.enabled", "false");
        java.nio.file.Files.writeString(dir.resolve("none.properties"), "");
        try (Engine engine = Engine.start(EngineSettings.resolve(props, Map.of()))) {
            MllpComponent mllp = engine.camelContext().getComponent("mllp", MllpComponent.class);
            assertThat(mllp.getLogPhi()).isFalse();
            // camel-main runs on the engine's context (no per-version HL7 converters: EngineCamelContextTest).
            assertThat(engine.camelContext()).isInstanceOf(org.iepcharge.camel.context.EngineCamelContext.class);
            assertThat(engine.camelContext().getRoutes()).extracting(r -> r.getRouteId())
                    .containsExactlyInAnyOrder("lis-inbound", "billing-outbound-1", "ledger-retention");
        }
    }

    @Test
    void metersCountMessagesByAnswerAndOutcomeAndTimeTheAck() throws Exception {
        try (EngineHarness harness = EngineHarness.start(EngineHarness.Transport.NETTY, dir)) {
            String adt = "MSH|^~\\&|LIS|LAB|IEP|LAB|20260101||ADT^A01|M1|P|2.5.1\rPID|1||X\r";
            assertThat(harness.send(adt).msa1()).isEqualTo("AR");
            var meters = harness.engine().meters();
            assertThat(meters.get("iep.inbound.messages").tags("ack", "AR", "outcome", "REJECTED", "type", "ADT^A01")
                    .counter().count()).isEqualTo(1.0);
            assertThat(meters.find("iep.inbound.messages").tags("ack", "AA", "outcome", "CHARGED").counters())
                    .isEmpty();
            assertThat(meters.timer("iep.inbound.ack.time").count()).isEqualTo(1);
        }
    }
}
