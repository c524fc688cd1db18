package org.iepcharge.hl7;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.parser.PipeParser;
import org.iepcharge.testkit.Hl7TestInputs;
import org.junit.jupiter.api.Test;

/**
 * The engine's parser ({@link HapiContexts#parser()}) reads MSH-9 from MSH alone and looks classes up once
 * ({@link CachingModelClassFactory}); every message of the test data, and every form of MSH-9 and OBX-2, must come out
 * of it exactly as out of HAPI's stock PipeParser on the same configuration with HAPI's own, uncached class factory:
 * the same message class and the same encoding, or a failure with the same HL7 error code — on the first parse and on
 * the next ones, which take the cached classes.
 */
class MshStructurePipeParserTest {
    private static final PipeParser HAPI = HapiContexts.create(new CanonicalModelClassFactory("2.5.1")).getPipeParser();
    private static final PipeParser OURS = HapiContexts.parser();

    /** MSH-9 as senders write it, and as they should not. */
    private static final List<String> MSH_9 = List.of("ORU^R01", "ORU^R01^ORU_R01", "ORU^R01^", "ORU^R01^^",
            "ORU", "", "ACK", "ACK^R01", "ACK^R01^ACK", "ORM^O01^ORU_R01", "ORU^R30", "OML^O21", "^R01^ORU_R01",
            "ORU^^ORU_R01", "ZZZ^Z01", "ORU^R01^ZZZ_Z01", "ORU~ORM^R01", "ORU^R01^ORU_R01^X");

    @Test
    void everyTestDataMessageParsesAsWithHapisOwnParser() throws Exception {
        List<String> texts = testDataMessages();
        int parsed = 0;
        for (int pass = 1; pass <= 2; pass++) {
            for (String text : texts) {
                String hapi = outcome(HAPI, text);
                assertThat(outcome(OURS, text)).as("pass " + pass + ": " + firstLine(text)).isEqualTo(hapi);
                parsed += pass == 1 && hapi.startsWith("parsed") ? 1 : 0;
            }
        }
        assertThat(texts).as("messages in testdata").hasSizeGreaterThan(150);
        assertThat(parsed).as("messages HAPI parsed").isGreaterThan(100);
    }

    @Test
    void everyFormOfMsh9ParsesAsWithHapisOwnParser() {
        String body = "PID|1||M1^^^LAB^MR||Doe^Jane\rORC|RE|P1^LIS|F1^LAB\rOBR|1|P1^LIS|F1^LAB|13169-8^IEP^LN\r"
                + "OBX|1|TX|13169-8^IEP^LN||text||||||F\r";
        List<String> failures = new ArrayList<>();
        for (String msh9 : MSH_9) {
            for (String version : List.of("2.5.1", "2.3", "2.8")) {
                String text = "MSH|^~\\&|LIS|LAB|IEP|LAB|20261121100000||" + msh9 + "|C1|P|" + version + "\r" + body;
                String hapi = outcome(HAPI, text);
                assertThat(outcome(OURS, text)).as(msh9 + " " + version).isEqualTo(hapi);
                if (!hapi.startsWith("parsed")) {
                    failures.add(msh9);
                }
            }
        }
        assertThat(failures).as("forms HAPI refuses").contains("", "ORU");
    }

    /** OBX-2 names the data type of OBX-5: HAPI looks its class up per OBX, known or not, by any sender's name. */
    @Test
    void everyFormOfObx2ParsesAsWithHapisOwnParser() {
        for (int pass = 1; pass <= 2; pass++) {
            for (String obx2 : List.of("NM", "TX", "ST", "CE", "CWE", "FT", "SN", "DT", "", "ZZ", "nm", "X.Y", "CE~NM",
                    "CE^NM", "GenericPrimitive", "../../Bad")) {
                String text = "MSH|^~\\&|LIS|LAB|IEP|LAB|20261121100000||ORU^R01^ORU_R01|C1|P|2.5.1\r"
                        + "PID|1||M1^^^LAB^MR||Doe^Jane\rOBR|1|P1^LIS|F1^LAB|13169-8^IEP^LN\r"
                        + "OBX|1|" + obx2 + "|13169-8^IEP^LN||12^a&b||||||F\r";
                assertThat(outcome(OURS, text)).as("pass " + pass + ": OBX-2 " + obx2).isEqualTo(outcome(HAPI, text));
            }
        }
    }

    /** Past its limit the cache keeps nothing new, and a name seen only then still gets HAPI's answer. */
    @Test
    void theCacheStopsGrowingAndStillAnswers() throws Exception {
        CachingModelClassFactory ours = new CachingModelClassFactory("2.5.1");
        CanonicalModelClassFactory stock = new CanonicalModelClassFactory("2.5.1");
        for (int i = 0; i < CachingModelClassFactory.LIMIT + 10; i++) {
            assertThat(ours.getTypeClass("Z" + i, "2.5.1")).isEqualTo(stock.getTypeClass("Z" + i, "2.5.1"));
        }
        assertThat(ours.size()).isEqualTo(CachingModelClassFactory.LIMIT);
        assertThat(ours.getTypeClass("NM", "2.5.1")).isEqualTo(stock.getTypeClass("NM", "2.5.1")).isNotNull();
        assertThat(ours.getMessageClass("ORU_R01", "2.3", true))
                .isEqualTo(stock.getMessageClass("ORU_R01", "2.3", true)).isNotNull();
        assertThat(ours.getSegmentClass("ZXY", "2.5.1")).isEqualTo(stock.getSegmentClass("ZXY", "2.5.1"));
        assertThat(ours.size()).isEqualTo(CachingModelClassFactory.LIMIT);
    }

    @Test
    void aHeaderTooShortForMsh9FailsAsWithHapisOwnParser() {
        for (String text : List.of("MSH|^~\\&|LIS|LAB\rPID|1\r", "MSH|^~\\&|A|B|C|D|E||ORU^R01|C1|P\rPID|1\r",
                "MSH|^~\\|A|B|C|D|E||ORU^R01|C1|P|2.5.1\rPID|1\r")) {
            String hapi = outcome(HAPI, text);
            assertThat(hapi).as(text).startsWith("failed");
            assertThat(outcome(OURS, text)).as(text).isEqualTo(hapi);
        }
    }

    private static String outcome(PipeParser parser, String text) {
        try {
            Message m = parser.parse(text);
            return "parsed " + m.getClass().getName() + " " + m.getName() + "\n" + parser.encode(m);
        } catch (HL7Exception e) {
            return "failed " + e.getClass().getName() + " " + e.getErrorCode();
        } catch (RuntimeException e) {
            return "failed " + e.getClass().getName();
        }
    }

    /** Every message of the test data and the shared corpus, decoded as the LIS edge decodes it. */
    private static List<String> testDataMessages() throws IOException {
        Hl7Text decoder = new Hl7Text(StandardCharsets.UTF_8);
        List<String> texts = new ArrayList<>();
        for (byte[] frame : Hl7TestInputs.frames()) {
            texts.add(decoder.decode(frame));
        }
        return texts;
    }

    private static String firstLine(String text) {
        int cr = text.indexOf('\r');
        return cr < 0 ? text : text.substring(0, cr);
    }
}
