package org.iepcharge.camel.context;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ORM_O01;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * The engine's Camel context leaves out camel-hl7's per-version converters (start-up time) and keeps its
 * version-independent ones, against Camel's default context as the reference.
 */
class EngineCamelContextTest {
    private static final String ORM = "MSH|^~\\&|LIS|LAB|IEP|LAB|20260101120000||ORM^O01|M1|P|2.5.1\r"
            + "PID|1||12345^^^LAB^MR||DOE^JANE\r"
            + "ORC|NW|P1\r"
            + "OBR|1|P1||86320^IEP^CPT\r";

    @Test
    void typedConvertersOfEachHl7VersionAreLeftOutAndConversionsToATypedMessageStillWork() throws Exception {
        try (CamelContext reference = new DefaultCamelContext(); CamelContext engine = new EngineCamelContext()) {
            reference.start();
            engine.start();
            // Camel's default context registers camel-hl7's v2.5.1 converters (text and bytes to ORM_O01 among them):
            // what the engine's context leaves out.
            assertThat(reference.getTypeConverterRegistry().lookup(ORM_O01.class).keySet())
                    .containsExactlyInAnyOrder(String.class, byte[].class);
            assertThat(engine.getTypeConverterRegistry().lookup(ORM_O01.class)).isEmpty();
            assertThat(engine.getTypeConverterRegistry().size())
                    .isLessThan(reference.getTypeConverterRegistry().size() - 300);
            // The version-independent converter stays, and Camel uses it for a typed target too: HAPI's parser makes
            // the message class MSH-9 and MSH-12 name, so a route converting to ORM_O01 still gets one.
            Message parsed = engine.getTypeConverter().mandatoryConvertTo(Message.class, ORM);
            assertThat(parsed).isInstanceOf(ORM_O01.class);
            assertThat(engine.getTypeConverter().mandatoryConvertTo(ORM_O01.class, ORM)).isInstanceOf(ORM_O01.class);
            assertThat(engine.getTypeConverter().mandatoryConvertTo(ORM_O01.class, ORM.getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII))).isInstanceOf(ORM_O01.class);
            assertThat(engine.getTypeConverter().mandatoryConvertTo(String.class, parsed)).startsWith("MSH|^~\\&|LIS|");
        }
    }
}
