package org.iepcharge.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.OrderedTest;
import org.junit.jupiter.api.Test;

class InboundEdgeTest {
    private final InboundEdge edge = new InboundEdge(StandardCharsets.UTF_8);

    private static final String ORU = "MSH|^~\\&|LIS|LAB|IEP|LAB|20261121100000||ORU^R01^ORU_R01|C1|P|2.5.1\r"
            + "PID|1||M1^^^LAB^MR~X9^^^OTHER^PI||Doe^Jane||19580312|F\r"
            + "PV1|1|O|WARD^12^B^LAB\r"
            + "ORC|RE|PL1^LIS|FL1^LAB\r"
            + "OBR|1|PL1^LIS|FL1^LAB|13169-8^IEP serum^LN|||20261120080000||||||||||||||||||F|||||||"
            + "123&Path&Anna\r"
            + "OBX|1|TX|13169-8^IEP^LN||text||||||F||||||||||||Main Lab^^^^^^^^^05D0000001\r"
            + "SPM|1||||||||||||||||20261120075500\r";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsTheFieldsTheDecisionUses() {
        Inbound in = edge.read(bytes(ORU));
        assertThat(in.verdict()).isNull();
        assertThat(in.message().patient().id()).isEqualTo("M1");
        assertThat(in.message().patient().authority()).isEqualTo("LAB");
        assertThat(in.message().visit().patientClass()).isEqualTo("O");
        assertThat(in.message().visit().location().room()).isEqualTo("12");
        OrderedTest t = in.message().tests().get(0);
        assertThat(t.key().placer().key()).isEqualTo("PL1^LIS");
        assertThat(t.key().filler().key()).isEqualTo("FL1^LAB");
        assertThat(t.test().code()).isEqualTo("13169-8");
        assertThat(t.test().system()).isEqualTo("LN");
        assertThat(t.resultStatus()).isEqualTo("F");
        assertThat(t.collectionTime()).as("SPM-17 wins over OBR-7").isEqualTo("20261120075500");
        assertThat(t.interpreter().id()).isEqualTo("123");
        assertThat(t.interpreter().name().family()).isEqualTo("Path");
        assertThat(t.observations()).singleElement().satisfies(o -> {
            assertThat(o.valueType()).isEqualTo("TX");
            assertThat(o.performingLabId()).isEqualTo("05D0000001");
        });
    }

    @Test
    void lineFeedsBomAndMissingFinalTerminatorAreAccepted() {
        String lf = "\uFEFF" + ORU.replace('\r', '\n').stripTrailing();
        Inbound in = edge.read(bytes(lf));
        assertThat(in.verdict()).isNull();
        assertThat(in.message().tests()).hasSize(1);
    }

    @Test
    void anMsh18JavaCannotParseIsReadWithTheDefaultCharset() {
        // Found by HostileInputTest's fuzzing: Charset.isSupported throws for such a name, and it escaped the edge.
        for (String name : new String[] {"UTF 8", "ISO 8859/2", "?8", "UTF-8\u00e4"}) {
            String msg = ORU.replace("|C1|P|2.5.1\r", "|C1|P|2.5.1||||||" + name + "\r");
            Inbound in = edge.read(bytes(msg));
            assertThat(in.charset()).as(name).isEqualTo(StandardCharsets.UTF_8);
            assertThat(in.verdict()).as(name).isNull();
        }
    }

    @Test
    void adtIsRejectedAsUnsupportedType() {
        Inbound in = edge.read(bytes("MSH|^~\\&|A|B|C|D|2026||ADT^A01|X1|P|2.5.1\rPID|1||1\r"));
        assertThat(in.verdict().ackCode()).isEqualTo("AR");
        assertThat(in.verdict().errorCode()).isEqualTo(200);
    }

    @Test
    void unsupportedEventOfOurTypeIs201() {
        Inbound in = edge.read(bytes("MSH|^~\\&|A|B|C|D|2026||ORU^R30|X1|P|2.5.1\rPID|1||1\r"));
        assertThat(in.verdict().errorCode()).isEqualTo(201);
    }

    @Test
    void versionIsCheckedBeforeType() {
        assertThat(edge.read(bytes("MSH|^~\\&|A|B|C|D|2026||ADT^A01|X1|P|2.1\r")).verdict().errorCode())
                .isEqualTo(203);
        assertThat(edge.read(bytes("MSH|^~\\&|A|B|C|D|2026||ORU^R01|X1|P|\r")).verdict().errorCode())
                .isEqualTo(203);
    }

    @Test
    void inboundAckIsNeverAnswered() {
        Inbound in = edge.read(bytes("MSH|^~\\&|A|B|C|D|2026||ACK^O01|X1|P|2.5.1\rMSA|AA|Y\r"));
        assertThat(in.verdict().disposition()).isEqualTo(Disposition.NO_ANSWER);
    }

    @Test
    void missingObr4IsAe101NamingTheField() {
        Inbound in = edge.read(bytes(ORU.replace("13169-8^IEP serum^LN", "")));
        assertThat(in.verdict().ackCode()).isEqualTo("AE");
        assertThat(in.verdict().errorCode()).isEqualTo(101);
        assertThat(in.verdict().errorLocation()).isEqualTo("OBR^1^4");
    }

    @Test
    void missingOrderKeysAreNotedForCaptureNotRefusedHere() {
        // Recognition comes first: only capture knows whether this test is one we would charge (and so needs a key).
        String noKeys = ORU.replace("ORC|RE|PL1^LIS|FL1^LAB", "ORC|RE").replace("OBR|1|PL1^LIS|FL1^LAB|", "OBR|1|||");
        Inbound in = edge.read(bytes(noKeys));
        assertThat(in.verdict()).isNull();
        assertThat(in.keylessTests()).containsOnlyKeys(0);
        assertThat(in.keylessTests().get(0).errorCode()).isEqualTo(101);
        assertThat(in.keylessTests().get(0).errorLocation()).isEqualTo("ORC^1^2");
        assertThat(edge.read(bytes(ORU)).keylessTests()).isEmpty();
    }

    @Test
    void obr4WithTextOnlyIsReadForRecognition() {
        Inbound in = edge.read(bytes(ORU.replace("13169-8^IEP serum^LN", "^Immunoelectrophoresis, serum^")));
        assertThat(in.verdict()).isNull();
        OrderedTest t = in.message().tests().get(0);
        assertThat(t.test().code()).isEmpty();
        assertThat(t.test().text()).isEqualTo("Immunoelectrophoresis, serum");
    }

    @Test
    void obr4WithOnlyTheOriginalTextComponentIsNotMissing() {
        Inbound in = edge.read(bytes(ORU.replace("13169-8^IEP serum^LN", "^^^^^^^^IEP serum")));
        assertThat(in.verdict()).isNull();
    }

    @Test
    void obr4EmptyInEveryComponentIsStillAe101() {
        Inbound in = edge.read(bytes(ORU.replace("13169-8^IEP serum^LN", "^^^^^")));
        assertThat(in.verdict().ackCode()).isEqualTo("AE");
        assertThat(in.verdict().errorCode()).isEqualTo(101);
        assertThat(in.verdict().errorLocation()).isEqualTo("OBR^1^4");
    }

    @Test
    void aLineBreakInsideAFieldIsAe100AtThatFieldNever207() {
        // As ti_OML_O21_005 of the public corpus: HAPI refuses the whole message (EncodingNotSupportedException,
        // its code 207) and says nothing about where.
        String broken = ORU.replace("13169-8^IEP serum^LN", "13169-8^IEP\nserum^LN").replace('\r', '\n');
        Inbound in = edge.read(bytes(broken));
        assertThat(in.verdict().ackCode()).isEqualTo("AE");
        assertThat(in.verdict().errorCode()).isEqualTo(100);
        assertThat(in.verdict().errorLocation()).isEqualTo("OBR^1^4");
        assertThat(in.verdict().errorText()).contains("OBR-4").doesNotContain("serum");
    }

    @Test
    void twoMessagesGluedInOneFrameAreRefusedNotMerged() {
        // HAPI reads them as one message: the second PID replaced the first, and both OBRs went to the last patient.
        String second = ORU.replace("|C1|", "|C2|").replace("M1^^^LAB", "M2^^^LAB");
        Inbound in = edge.read(bytes(ORU + second));
        assertThat(in.message()).isNull();
        assertThat(in.verdict().ackCode()).isEqualTo("AE");
        assertThat(in.verdict().errorCode()).isEqualTo(100);
        assertThat(in.verdict().errorLocation()).isEqualTo("MSH^2");
        assertThat(in.verdict().errorText()).contains("line 8");
        assertThat(in.msh().controlId()).isEqualTo("C1");
    }

    @Test
    void aBatchIsRefusedByNameAndAnsweredToItsBatchControlId() {
        String batch = "FHS|^~\\&|LIS|LAB|IEP|LAB|20260101||||F77\rBHS|^~\\&|LIS|LAB|IEP|LAB|20260101||||B42\r"
                + ORU + "BTS|1\rFTS|1\r";
        Inbound in = edge.read(bytes(batch));
        assertThat(in.verdict().ackCode()).isEqualTo("AR");
        assertThat(in.verdict().errorCode()).isEqualTo(200);
        assertThat(in.verdict().errorLocation()).isEqualTo("FHS^1");
        assertThat(in.verdict().errorText()).contains("batches").contains("not supported");
        assertThat(in.msh().controlId()).isEqualTo("B42");
        assertThat(in.msh().sendingApplication()).isEqualTo("LIS");
        assertThat(in.msh().version()).as("from the first MSH inside").isEqualTo("2.5.1");
    }

    @Test
    void malformedCollectionDateIsAe102AndTheTextQuotesNoValue() {
        Inbound in = edge.read(bytes(ORU.replace("20261120075500", "2026-11-20")));
        assertThat(in.verdict().errorCode()).isEqualTo(102);
        assertThat(in.verdict().errorLocation()).isEqualTo("SPM^1^17");
        assertThat(in.verdict().errorText()).doesNotContain("2026-11-20");
    }

    @Test
    void noMshIsRejected() {
        Inbound in = edge.read(bytes("PID|1||123\r"));
        assertThat(in.verdict().ackCode()).isEqualTo("AR");
        assertThat(in.msh()).isNull();
    }

    @Test
    void latin1NamedByMsh18IsDecoded() {
        String msg = ORU.replace("|P|2.5.1", "|P|2.5.1||||||8859/1").replace("Doe^Jane", "M\u00fcller^J\u00fcrgen");
        Inbound in = edge.read(msg.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(in.message().patient().name().family()).isEqualTo("M\u00fcller");
    }

    @Test
    void utf8WithoutMsh18IsDecodedAndLatin1BytesAreNotLost() {
        String msg = ORU.replace("Doe^Jane", "M\u00fcller^Ana");
        assertThat(edge.read(msg.getBytes(StandardCharsets.UTF_8)).message().patient().name().family())
                .isEqualTo("M\u00fcller");
        assertThat(edge.read(msg.getBytes(StandardCharsets.ISO_8859_1)).message().patient().name().family())
                .isEqualTo("M\u00fcller");
    }
}
