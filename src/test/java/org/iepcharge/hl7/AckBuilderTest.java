package org.iepcharge.hl7;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import ca.uhn.hl7v2.AcknowledgmentCode;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /**
     * A thread reuses one ACK structure for answers without an error: whatever it answered before (another sender's
     * routing, an error with MSA-3 and ERR, a v2.4 ERR-1, no MSH at all), the next such answer is the one a fresh
     * builder gives, but for MSH-7 and MSH-10.
     */
    /** Inbound headers of every shape an ACK reads: versions (ERR layout), modes, charsets, empty and missing fields. */
    static List<MshFields> inboundHeaders() {
        List<MshFields> out = new ArrayList<>();
        for (String version : List.of("2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.8", "", "3.0",
                "2.4^^HL70104")) {
            out.add(Er7.of("MSH|^~\\&|LIS|MAIN|IEPR|LABF|20260101||ORU^R01^ORU_R01|CTRL42|P|" + version)
                    .msh().orElseThrow());
        }
        for (String header : List.of(
                "MSH|^~\\&|OTHERLIS|OTHERFAC|X|Y|20260101||ORM^O01^ORM_O01|ZZ9|T|2.4|||AL|NE",
                "MSH|^~\\&|||||20260101||ORU^R01|C7||2.3",
                "MSH|^~\\&#|LIS|MAIN|||20260101||OML^O21^OML_O21|V27|D|2.7|||ER|AL||8859/1",
                "MSH|^~\\&|LIS|MAIN|IEPR|LABF|20260101||ORU^R01|U8|P|2.5.1|||SU|NE||UNICODE UTF-8",
                "MSH|^~\\&|LIS|MAIN|IEPR|LABF|20260101||ORU^R01|ESC\\F\\|P|2.5.1|||AL",
                "MSH|^~\\&|LIS|MAIN|IEPR|LABF|20260101||ACK|A9|P",
                "MSH|^~\\&|L\\S\\IS|M&AIN|IEPR|LABF|20260101||ADT^A01^ADT_A01|PIPE|P|2.5.1|||NE|NE",
                "MSH$^~\\&$LIS$MAIN$IEPR$LABF$20260101$$ORU^R01$DOLLAR$P$2.3.1")) {
            out.add(Er7.of(header).msh().orElseThrow());
        }
        out.add(null); // no readable MSH
        return out;
    }

    /** Answers of every kind: AA/AE/AR, ERR with a location of 0–3 parts, texts that need escaping. */
    static List<Outcome> outcomes() {
        return List.of(Outcome.accepted(Disposition.CHARGED), Outcome.accepted(Disposition.IGNORED),
                Outcome.error(101, "OBR^1^4", "OBR-4 missing"), Outcome.error(102, "OBR^2^7^1", "bad date"),
                Outcome.error(100, "", "Message structure could not be parsed"),
                Outcome.error(101, "ORC", "a|b^c~d\\e&f"), Outcome.reject(200, "MSH^1^9", "unsupported type"),
                Outcome.reject(201, "MSH^1^9", "unsupported event"), Outcome.reject(203, "MSH^1^12", "version"),
                Outcome.reject(207, "", "Application internal error: resend later"),
                Outcome.reject(100, "FHS^1", "HL7 batches (FHS/BHS) are not supported"),
                Outcome.error(999, "PID^1^3", "a code HAPI has no text for"));
    }

    /**
     * The thread's refilled ACK structure carries nothing of the answers before it: every answer, built right after
     * every other answer on the same builder, is byte for byte the answer a new builder (a new HAPI structure) gives
     * for it — MSH-7 and MSH-10 included, from a fixed clock and control ID.
     */
    @Test
    void everyAnswerAfterEveryOtherIsTheAnswerOfANewStructure() {
        java.util.function.LongSupplier clock = () -> 1_780_000_123_456L;
        java.util.function.Supplier<String> ids = () -> "A1";
        AckBuilder reused = new AckBuilder("IEP", "LAB", clock, ids);
        record Answer(MshFields msh, Outcome outcome) {
        }
        List<Answer> answers = new ArrayList<>();
        for (MshFields msh : inboundHeaders()) {
            for (Outcome outcome : outcomes()) {
                answers.add(new Answer(msh, outcome));
            }
        }
        java.util.Map<Answer, String> fresh = new java.util.HashMap<>();
        for (Answer a : answers) {
            fresh.put(a, new AckBuilder("IEP", "LAB", clock, ids).build(a.msh(), a.outcome()));
        }
        assertThat(new java.util.HashSet<>(fresh.values())).as("distinct answers").hasSizeGreaterThan(200);
        int compared = 0;
        for (Answer before : answers) {
            for (Answer next : answers) {
                reused.build(before.msh(), before.outcome());
                assertThat(reused.build(next.msh(), next.outcome())).as("%s after %s", next, before)
                        .isEqualTo(fresh.get(next));
                compared++;
            }
        }
        assertThat(compared).isEqualTo(answers.size() * answers.size());
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

    private static MshFields withAckTypes(String msh15, String msh16) {
        return Er7.of("MSH|^~\\&|LIS|MAIN|IEPR|LABF|20260101||ORU^R01^ORU_R01|CTRL42|P|2.5.1|||" + msh15 + "|"
                + msh16).msh().orElseThrow();
    }

    private static Outcome outcome(String code, int error) {
        return switch (code) {
            case "AA" -> Outcome.accepted(Disposition.CHARGED);
            case "AE" -> Outcome.error(error, "OBR^1^4", "text");
            default -> Outcome.reject(error, "", "text");
        };
    }

    /** docs/billing-facts.md §5: table 0155 for MSH-15, table 0008 for the accept codes. */
    @ParameterizedTest(name = "MSH-15 {0} / MSH-16 {1}, {2} {3} -> {4}")
    @CsvSource({
            // original mode: both empty
            "'', '', AA, 0, AA", "'', '', AE, 101, AE", "'', '', AR, 207, AR",
            // AL: always an accept ACK
            "AL, NE, AA, 0, CA", "AL, AL, AE, 101, CE", "AL, NE, AE, 100, CE", "AL, NE, AR, 200, CR",
            "AL, NE, AR, 201, CR", "AL, NE, AR, 202, CR", "AL, NE, AR, 203, CR",
            "AL, NE, AR, 207, CE",
            // ER: only on an error; SU: only on success; otherwise the original-mode answer
            "ER, AL, AA, 0, AA", "ER, AL, AE, 102, CE", "ER, NE, AR, 203, CR",
            "SU, AL, AA, 0, CA", "SU, AL, AE, 101, AE",
            // NE, or MSH-16 alone, or a value outside table 0155: no accept ACK asked
            "NE, NE, AA, 0, AA", "NE, AL, AE, 101, AE", "'', AL, AA, 0, AA", "XX, NE, AA, 0, AA", "al, ne, AA, 0, CA"})
    void answerCodeFollowsTheAcknowledgementMode(String msh15, String msh16, String code, int error, String expected) {
        assertThat(AckBuilder.answerCode(withAckTypes(msh15, msh16), outcome(code, error)))
                .isEqualTo(AcknowledgmentCode.valueOf(expected));
        String ack = builder.build(withAckTypes(msh15, msh16), outcome(code, error));
        assertThat(segment(ack, "MSA")[1]).isEqualTo(expected);
        if (error != 0) {
            assertThat(segment(ack, "ERR")[3]).startsWith(error + "^");
        }
    }

    @Test
    void noMshMeansOriginalMode() {
        assertThat(AckBuilder.answerCode(null, Outcome.reject(100, "MSH", "no MSH"))).isEqualTo(AcknowledgmentCode.AR);
    }
}
