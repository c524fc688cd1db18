package org.iepcharge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import ca.uhn.hl7v2.AcknowledgmentCode;
import org.junit.jupiter.api.Test;

class AckBuilderTest {
    private static final String INBOUND = "MSH|^~\\&|IEP|LAB|BILL|HOSP|20250101120000||DFT^P03|DFT42|P|2.5.1\r"
            + "PID|1||12345^^^HOSP^MR||DOE^JANE\r";

    private final AckBuilder builder = new AckBuilder();

    private String ack(String inbound, AcknowledgmentCode code, Charset charset) {
        return new String(builder.ack(inbound.getBytes(charset), code, "billing said no", charset), charset);
    }

    @Test
    void acceptEchoesControlIdAndHasNoErr() {
        String ack = ack(INBOUND, AcknowledgmentCode.AA, StandardCharsets.UTF_8);

        byte[] bytes = ack.getBytes(StandardCharsets.UTF_8);
        assertThat(Hl7Fields.fields(bytes, "MSH-9-1", "MSA-1", "MSA-2")).containsExactly("ACK", "AA", "DFT42");
        assertThat(ack).doesNotContain("\rERR|").doesNotContain("DOE");
    }

    @Test
    void rejectAndErrorCarryErr3Code207() {
        for (AcknowledgmentCode code : new AcknowledgmentCode[] {AcknowledgmentCode.AE, AcknowledgmentCode.AR}) {
            byte[] ack = ack(INBOUND, code, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);

            assertThat(Hl7Fields.fields(ack, "MSA-1", "MSA-2", "ERR-3-1"))
                    .containsExactly(code.name(), "DFT42", "207");
            assertThat(new String(ack, StandardCharsets.UTF_8)).contains("billing said no");
        }
    }

    @Test
    void messageWhoseBodyDoesNotParseIsStillAnswered() {
        String broken = "MSH|^~\\&|IEP|LAB|BILL|HOSP|20250101120000||DFT^P03|DFT43|P|2.5.1\r"
                + "FT1|1|||20250101|||||||||not&a&valid^^date\r\u0000garbage";

        byte[] ack = ack(broken, AcknowledgmentCode.AA, StandardCharsets.ISO_8859_1)
                .getBytes(StandardCharsets.ISO_8859_1);

        assertThat(Hl7Fields.fields(ack, "MSA-1", "MSA-2")).containsExactly("AA", "DFT43");
    }

    @Test
    void charsetComesFromMsh18ElseUtf8() {
        byte[] latin1 = (INBOUND.replace("|P|2.5.1", "|P|2.5.1||||||8859/1")).getBytes(StandardCharsets.ISO_8859_1);

        assertThat(Hl7Fields.charsetOf(latin1)).isEqualTo(StandardCharsets.ISO_8859_1);
        assertThat(Hl7Fields.charsetOf(INBOUND.getBytes(StandardCharsets.UTF_8))).isEqualTo(StandardCharsets.UTF_8);
    }
}
