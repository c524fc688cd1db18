package org.iepcharge.hl7;

import static org.assertj.core.api.Assertions.assertThat;

import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.junit.jupiter.api.Test;

class AckBuilderTest {
    private final AckBuilder builder = new AckBuilder("IEP", "LAB");

    private static MshFields msh(String version) {
        return Er7.of("MSH|^~\\&|LIS|MAIN|IEPR|LABF|20260101||ORU^R01^ORU_R01|CTRL42|P|" + version).msh().orElseThrow();
    }

    private static String[] segment(String ack, String name) {
        for (String s : ack.split("\r")) {
            if (s.startsWith(name + "|")) {
                return s.split("\\|", -1);
            }
        }
        throw new AssertionError("no " + name + " in " + ack);
    }

    @Test
    void acceptSwapsRoutingAndEchoesControlIdAndVersion() {
        String ack = builder.build(msh("2.3"), Outcome.accepted(Disposition.IGNORED));
        String[] h = segment(ack, "MSH");
        assertThat(h[2]).isEqualTo("IEPR");
        assertThat(h[3]).isEqualTo("LABF");
        assertThat(h[4]).isEqualTo("LIS");
        assertThat(h[5]).isEqualTo("MAIN");
        assertThat(h[8]).isEqualTo("ACK^R01^ACK");
        assertThat(h[11]).isEqualTo("2.3");
        assertThat(h[9]).isNotEqualTo("CTRL42").isNotEmpty();
        String[] msa = segment(ack, "MSA");
        assertThat(msa[1]).isEqualTo("AA");
        assertThat(msa[2]).isEqualTo("CTRL42");
        assertThat(ack).doesNotContain("ERR|");
    }

    @Test
    void errorFromV25UsesErr2To8() {
        String ack = builder.build(msh("2.5.1"), Outcome.error(101, "OBR^1^4", "OBR-4 missing"));
        String[] msa = segment(ack, "MSA");
        assertThat(msa[1]).isEqualTo("AE");
        assertThat(msa[3]).isEqualTo("OBR-4 missing");
        String[] err = segment(ack, "ERR");
        assertThat(err[1]).as("ERR-1 empty from v2.5").isEmpty();
        assertThat(err[2]).isEqualTo("OBR^1^4");
        assertThat(err[3]).isEqualTo("101^Required field missing^HL70357");
        assertThat(err[4]).isEqualTo("E");
        assertThat(err[7]).isEqualTo("OBR-4 missing");
        assertThat(err[8]).isEqualTo("OBR-4 missing");
    }

    @Test
    void errorBeforeV25UsesErr1() {
        String ack = builder.build(msh("2.4"), Outcome.reject(200, "MSH^1^9", "unsupported"));
        String[] err = segment(ack, "ERR");
        assertThat(err[1]).isEqualTo("MSH^1^9^200&Unsupported message type&HL70357");
        assertThat(err).hasSize(2);
    }

    @Test
    void noMshStillGivesAnAck() {
        String ack = builder.build(null, Outcome.reject(100, "MSH", "no MSH"));
        assertThat(segment(ack, "MSA")[1]).isEqualTo("AR");
        assertThat(segment(ack, "MSH")[11]).isEqualTo("2.5.1");
    }
}
