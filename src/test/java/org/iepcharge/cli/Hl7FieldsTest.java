package org.iepcharge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class Hl7FieldsTest {
    private static final String INBOUND = "MSH|^~\\&|IEP|LAB|BILL|HOSP|20250101120000||DFT^P03|DFT42|P|2.5.1\r"
            + "PID|1||12345^^^HOSP^MR||DOE^JANE\r";

    @Test
    void charsetComesFromMsh18ElseUtf8() {
        byte[] latin1 = (INBOUND.replace("|P|2.5.1", "|P|2.5.1||||||8859/1")).getBytes(StandardCharsets.ISO_8859_1);

        assertThat(Hl7Fields.charsetOf(latin1)).isEqualTo(StandardCharsets.ISO_8859_1);
        assertThat(Hl7Fields.charsetOf(INBOUND.getBytes(StandardCharsets.UTF_8))).isEqualTo(StandardCharsets.UTF_8);
    }
}
