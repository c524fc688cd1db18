package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.testkit.EngineHarness.Ack;
import org.iepcharge.testkit.EngineHarness.Transport;
import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.LabMessages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;


/**
 * The answers real feeds get from the listener, over real MLLP on loopback with both inbound transports: an IEP test
 * sent by name only, a message HAPI cannot parse, a batch in one frame, enhanced acknowledgement mode (MSH-15/16),
 * and messages without order numbers (issue 8, "Answers to real feeds"; docs/billing-facts.md §5 for the ACK rules).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealFeedAnswersTest {
    private static final String PATIENT = "Zyxwvut^Quentin";

    // Static: one engine per transport serves every test of the class, so its ledger folder must outlive each test.
    @TempDir
    static Path tmp;

    private final Map<Transport, EngineHarness> engines = new EnumMap<>(Transport.class);

    private EngineHarness engine(Transport transport) throws Exception {
        EngineHarness h = engines.get(transport);
        if (h == null) {
            h = EngineHarness.start(transport, tmp.resolve(transport.name()));
            engines.put(transport, h);
        }
        return h;
    }

    @AfterAll
    void stop() {
        engines.values().forEach(EngineHarness::close);
    }

    private static String oru(String controlId, String placer, String filler, String test, String msh15,
                              String msh16) {
        return LabMessages.join(List.of(
                LabMessages.seg("MSH", 3, "LIS", 4, "MAINLAB", 5, "IEPROUTER", 6, "MAINLAB", 7, "20261121100000",
                        9, "ORU^R01^ORU_R01", 10, controlId, 11, "P", 12, "2.5.1", 15, msh15, 16, msh16),
                LabMessages.pid("MRN-" + controlId, PATIENT),
                LabMessages.seg("PV1", 1, "1", 2, "O"),
                LabMessages.seg("ORC", 1, "RE", 2, placer, 3, filler),
                LabMessages.seg("OBR", 1, "1", 2, placer, 3, filler, 4, test, 7, LabMessages.COLLECTED, 25, "F"),
                LabMessages.seg("OBX", 1, "1", 2, "TX", 3, "X1^Finding^L", 5, "see report", 11, "F")));
    }

    private static String oru(String controlId, String placer, String test) {
        return oru(controlId, placer + "^LIS", "F" + placer + "^LAB", test, "", "");
    }

    private static Outcome stored(EngineHarness h, String message) {
        return h.outcomeOf(message.getBytes(StandardCharsets.UTF_8)).orElseThrow();
    }

    private static List<String> openHoldReasons(EngineHarness h, String placer) {
        return h.engine().ledger().read(s -> s.holds().openForOrder("P:" + placer + "^LIS")).stream()
                .map(hold -> hold.reasonCode().name()).toList();
    }

    // ---- (a) an IEP test sent without its code ---------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anIepTestSentByNameOnlyIsHeldAndOtherNameOnlyTestsAreAccepted(Transport transport) throws Exception {
        EngineHarness h = engine(transport);
        String iep = oru("RF-A1", "RFA1", "^Immunoelectrophoresis, serum^");
        Ack held = h.send(iep);
        assertThat(held.msa1()).isEqualTo("AA");
        assertThat(held.msa2()).isEqualTo("RF-A1");
        assertThat(stored(h, iep).disposition()).isEqualTo(Disposition.HELD);
        assertThat(openHoldReasons(h, "RFA1")).containsExactly("UNMAPPED_IEP_LIKE_TEST");

        String knee = oru("RF-A2", "RFA2", "^KNEE-RIGHT AP LAT^L");
        Ack ignored = h.send(knee);
        assertThat(ignored.msa1()).isEqualTo("AA");
        assertThat(stored(h, knee).disposition()).isEqualTo(Disposition.IGNORED);
        assertThat(openHoldReasons(h, "RFA2")).isEmpty();

        Ack empty = h.send(oru("RF-A3", "RFA3", "^^^^^"));
        assertThat(empty.msa1()).isEqualTo("AE");
        assertThat(empty.err3()).isEqualTo("101");
        assertThat(empty.errorLocation()).isEqualTo("OBR^1^4");
    }

    // ---- (b) a message HAPI cannot parse ---------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aMessageHapiCannotParseIsAe100AtTheBrokenFieldWithoutPhi(Transport transport) throws Exception {
        EngineHarness h = engine(transport);
        // As a v2.3 ORM from a real feed: LF segment ends, and a line break inside OBR-4.
        String broken = oru("RF-B1", "RFB1", "13169-8^Immunoelectrophoresis\nserum^LN").replace('\r', '\n');
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        Ack ack;
        try {
            ack = h.send(broken);
        } finally {
            root.detachAppender(log);
        }
        assertThat(ack.msa1()).isEqualTo("AE");
        assertThat(ack.msa2()).isEqualTo("RF-B1");
        assertThat(ack.err3()).as("the sender's message, not our failure: never 207").isEqualTo("100");
        assertThat(ack.errorLocation()).isEqualTo("OBR^1^4");
        assertThat(ack.toString()).doesNotContain("Zyxwvut").doesNotContain("serum");
        assertThat(stored(h, broken).errorCode()).isEqualTo(100);
        assertThat(log.list).as("log lines of the exchange").isNotEmpty();
        // PHI is kept out of every log line at INFO and above (the project's rule; DEBUG is off in production).
        for (ILoggingEvent e : log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).toList()) {
            assertThat(e.getFormattedMessage()).doesNotContain("Zyxwvut").doesNotContain("serum");
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain("Zyxwvut").doesNotContain("serum");
            }
        }
    }

    // ---- (c) a batch in one frame ----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aBatchInOneFrameGetsAClearArNamingBatchesAndItsBatchControlId(Transport transport) throws Exception {
        EngineHarness h = engine(transport);
        String batch = "FHS|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261121100000||||FILE-7\r"
                + "BHS|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261121100000||||BATCH-42\r"
                + oru("RF-C1", "RFC1", LabMessages.IEP) + oru("RF-C2", "RFC2", LabMessages.IEP)
                + "BTS|2\rFTS|1\r";
        Ack ack = h.send(batch);
        assertThat(ack.msa1()).isEqualTo("AR");
        assertThat(ack.msa2()).isEqualTo("BATCH-42");
        assertThat(ack.err3()).isEqualTo("200");
        assertThat(ack.errorLocation()).isEqualTo("FHS^1");
        assertThat(ack.field("MSA-3")).contains("batches").contains("not supported");
        assertThat(ack.field("MSH-5")).isEqualTo("LIS");
        assertThat(stored(h, batch).disposition()).isEqualTo(Disposition.REJECTED);
        java.util.Optional<org.iepcharge.domain.OrderContext> context = h.engine().ledger().read(
                s -> s.orders().findContext(new org.iepcharge.domain.OrderKey(
                        new org.iepcharge.domain.EntityId("RFC1", "LIS"), null)));
        assertThat(context).as("nothing of the batch was processed").isEmpty();
        assertThat(openHoldReasons(h, "RFC1")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void twoMessagesInOneFrameWithoutABatchEnvelopeAreRefusedNotMerged(Transport transport) throws Exception {
        EngineHarness h = engine(transport);
        String glued = oru("RF-C3", "RFC3", "2345-7^Glucose^LN") + oru("RF-C4", "RFC4", LabMessages.IEP);
        Ack ack = h.send(glued);
        assertThat(ack.msa1()).isEqualTo("AE");
        assertThat(ack.msa2()).isEqualTo("RF-C3");
        assertThat(ack.err3()).isEqualTo("100");
        assertThat(ack.errorLocation()).isEqualTo("MSH^2");
        assertThat(openHoldReasons(h, "RFC4")).as("nothing of either message was processed").isEmpty();
        assertThat(stored(h, glued).disposition()).isEqualTo(Disposition.REJECTED);
    }

    // ---- (d) enhanced acknowledgement mode -------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Transport.class)
    void msh15AskingForAnAcceptAckGetsCaCeCrAfterTheCommit(Transport transport) throws Exception {
        EngineHarness h = engine(transport);
        String ok = oru("RF-D1", "RFD1^LIS", "FRFD1^LAB", LabMessages.IEP, "AL", "NE");
        Ack ca = h.send(ok);
        assertThat(ca.msa1()).isEqualTo("CA");
        assertThat(ca.msa2()).isEqualTo("RF-D1");
        assertThat(h.outcomeOf(ok.getBytes(StandardCharsets.UTF_8))).as("committed before the answer").isPresent();
        assertThat(h.send(ok).msa1()).as("a resend gets the same answer").isEqualTo("CA");

        Ack ce = h.send(oru("RF-D2", "RFD2^LIS", "FRFD2^LAB", "^^^", "AL", "AL"));
        assertThat(ce.msa1()).isEqualTo("CE");
        assertThat(ce.err3()).isEqualTo("101");

        String adt = "MSH|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261121100000||ADT^A01|RF-D3|P|2.5.1|||AL|NE\r"
                + "PID|1||MRN-D3^^^MAINLAB^MR||" + PATIENT + "\r";
        Ack cr = h.send(adt);
        assertThat(cr.msa1()).isEqualTo("CR");
        assertThat(cr.err3()).isEqualTo("200");

        assertThat(h.send(oru("RF-D4", "RFD4^LIS", "FRFD4^LAB", LabMessages.IEP, "ER", "NE")).msa1())
                .as("ER: no accept ACK on success, so the original-mode answer").isEqualTo("AA");
        assertThat(h.send(oru("RF-D5", "RFD5^LIS", "FRFD5^LAB", "", "ER", "NE")).msa1())
                .as("ER on an error").isEqualTo("CE");
        assertThat(h.send(oru("RF-D6", "RFD6^LIS", "FRFD6^LAB", LabMessages.IEP, "SU", "AL")).msa1())
                .isEqualTo("CA");
        assertThat(h.send(oru("RF-D7", "RFD7^LIS", "FRFD7^LAB", LabMessages.IEP, "NE", "AL")).msa1())
                .as("NE: no accept ACK asked, the original-mode answer").isEqualTo("AA");
        assertThat(h.send(oru("RF-D8", "RFD8^LIS", "FRFD8^LAB", LabMessages.IEP, "", "")).msa1())
                .as("original mode").isEqualTo("AA");
    }

    // ---- (e) no placer and no filler number ------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Transport.class)
    void noOrderNumberIsRefusedOnlyForATestWeWouldCharge(Transport transport) throws Exception {
        EngineHarness h = engine(transport);
        String glucose = oru("RF-E1", "", "", "2345-7^Glucose^LN", "", "");
        Ack aa = h.send(glucose);
        assertThat(aa.msa1()).as("recognition first: not a charge-master test").isEqualTo("AA");
        assertThat(stored(h, glucose).disposition()).isEqualTo(Disposition.IGNORED);

        Ack ae = h.send(oru("RF-E2", "", "", LabMessages.IEP, "", ""));
        assertThat(ae.msa1()).isEqualTo("AE");
        assertThat(ae.err3()).isEqualTo("101");
        assertThat(ae.errorLocation()).isEqualTo("ORC^1^2");
    }
}
