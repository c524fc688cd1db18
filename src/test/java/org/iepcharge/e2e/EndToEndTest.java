package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.iepcharge.testkit.LabMessages.COLLECTED;
import static org.iepcharge.testkit.LabMessages.orm;
import static org.iepcharge.testkit.LabMessages.oru;
import static org.iepcharge.testkit.LabMessages.seg;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.iepcharge.billing.DftFacts;
import org.iepcharge.camel.LisFailure;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.iepcharge.testkit.EngineHarness.Ack;
import org.iepcharge.testkit.EngineHarness.Transport;
import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.LabMessages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;


/**
 * The engine end to end over real loopback MLLP sockets, once per inbound transport: the shipped camel-netty listener
 * and the camel-mllp alternative documented in routes/lis-inbound.camel.yaml. Every test uses its own order and
 * control numbers, so one engine per transport serves them all.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Transport.class)
class EndToEndTest {
    private static final AtomicInteger SEQ = new AtomicInteger();

    @Parameter
    Transport transport;

    private static EngineHarness engine;
    private static Path dir;

    @BeforeParameterizedClassInvocation
    static void startEngine(Transport transport) throws Exception {
        dir = Files.createTempDirectory("iep-e2e-" + transport.name().toLowerCase() + "-");
        engine = EngineHarness.start(transport, dir);
    }

    @AfterParameterizedClassInvocation
    static void stopEngine() throws IOException {
        if (engine != null) {
            engine.close();
            engine = null;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private String id(String prefix) {
        return prefix + transport.name().charAt(0) + SEQ.incrementAndGet();
    }

    // ---- the charge path ---------------------------------------------------------------------------------------

    @Test
    void ormThenFinalOruPostsExactlyOneDftWithTheSection8Fields() {
        String placer = id("P");
        String filler = id("F");
        String ormId = id("ORM");
        String oruId = id("ORU");

        Ack ormAck = engine.send(orm("2.5.1", ormId, placer));
        Ack oruAck = engine.send(oru("2.5.1", oruId, placer, filler, "F"));

        assertThat(ormAck.msa1()).as(ormAck.toString()).isEqualTo("AA");
        assertThat(ormAck.msa2()).isEqualTo(ormId);
        assertThat(oruAck.msa1()).as(oruAck.toString()).isEqualTo("AA");
        assertThat(oruAck.msa2()).isEqualTo(oruId);
        assertThat(ormAck.field("MSH-12")).isEqualTo("2.5.1");
        assertThat(ormAck.field("MSH-9")).isEqualTo("ACK");
        assertThat(ormAck.field("MSH-9-2")).isEqualTo("O01");
        // Routing swapped (docs/billing-facts.md §5).
        assertThat(ormAck.field("MSH-3")).isEqualTo("IEPROUTER");
        assertThat(ormAck.field("MSH-5")).isEqualTo("LIS");
        assertThat(ormAck.segments()).noneMatch(s -> s.startsWith("ERR"));

        List<String> dfts = engine.dftsForFiller(filler);
        assertThat(dfts).hasSize(1);
        DftFacts dft = DftFacts.read(dfts.get(0));
        assertThat(dft.segments()).containsExactly("MSH", "EVN", "PID", "PV1", "FT1", "DG1", "IN1");
        assertThat(dft.msh().messageType()).isEqualTo("DFT^P03^DFT_P03");
        assertThat(dft.msh().sendingApplication()).isEqualTo("IEP_CHARGE_ROUTER");
        assertThat(dft.msh().receivingApplication()).isEqualTo("BILLING");
        assertThat(dft.msh().controlId()).isNotEmpty().hasSizeLessThanOrEqualTo(20);
        assertThat(dft.msh().processingId()).isEqualTo("P");
        assertThat(dft.msh().version()).isEqualTo("2.5.1");
        assertThat(dft.msh().acceptAckType()).isEmpty();
        assertThat(dft.msh().applicationAckType()).isEmpty();
        assertThat(dft.evn().eventType()).isEqualTo("P03");
        assertThat(dft.evn().recordedDateTime()).matches("\\d{14}");
        assertThat(dft.pid().identifiers()).containsExactly("MRN-" + placer + "^^^MAINLAB^MR");
        assertThat(dft.pid().name()).isEqualTo("Doe^Jane^Q");
        assertThat(dft.pv1().patientClass()).isEqualTo("O");
        assertThat(dft.ft1s()).hasSize(1);
        DftFacts.Ft1 ft1 = dft.ft1s().get(0);
        assertThat(ft1.setId()).isEqualTo("1");
        assertThat(ft1.transactionId()).isNotEmpty().hasSizeLessThanOrEqualTo(12);
        assertThat(ft1.transactionDate()).isEqualTo(COLLECTED);
        assertThat(ft1.postingDate()).isEqualTo(dft.evn().recordedDateTime());
        assertThat(ft1.transactionType()).isEqualTo("CG");
        assertThat(ft1.transactionCode()).isEqualTo("86320");
        assertThat(ft1.quantity()).isEqualTo("1");
        assertThat(ft1.location()).isEqualTo("OUTPT^^^MAINLAB");
        assertThat(ft1.diagnoses()).containsExactly("D47.2^Monoclonal gammopathy^I10");
        assertThat(ft1.performedBy()).isEmpty();
        assertThat(ft1.orderedBy()).containsExactly("1234567890^Welby^Marcus^^^^^^NPI");
        assertThat(ft1.fillerOrderNumber()).isEqualTo(filler + "^LAB");
        assertThat(ft1.procedure()).isEqualTo("86320^IMMUNOELECTROPHORESIS SERUM^C4");
        assertThat(ft1.modifiers()).isEmpty();
        assertThat(dft.dg1s()).containsExactly(new DftFacts.Dg1("1", "D47.2^Monoclonal gammopathy^I10", "F"));
        assertThat(dft.in1s()).hasSize(1);
        assertThat(dft.in1s().get(0).companyId()).isEqualTo("00430");

        assertThat(outcome(orm("2.5.1", ormId, placer))).isEqualTo(Disposition.IGNORED);
        assertThat(outcome(oru("2.5.1", oruId, placer, filler, "F"))).isEqualTo(Disposition.CHARGED);
    }

    @Test
    void theSameOruAgainGetsTheOriginalAnswerAndNoNewDft() {
        String placer = id("P");
        String filler = id("F");
        String oruId = id("ORU");
        engine.send(orm("2.5.1", id("ORM"), placer));
        String oru = oru("2.5.1", oruId, placer, filler, "F");
        Ack first = engine.send(oru);
        assertThat(engine.dftsForFiller(filler)).hasSize(1);

        Ack again = engine.send(oru);

        assertThat(again.msa1()).isEqualTo(first.msa1()).isEqualTo("AA");
        assertThat(again.msa2()).isEqualTo(oruId);
        assertThat(engine.dftsForFiller(filler)).hasSize(1);
        assertThat(outcome(oru)).isEqualTo(Disposition.CHARGED);
    }

    @Test
    void aRejectedMessageSentAgainGetsTheSameRejection() {
        String ctl = id("BAD");
        String bad = orm("2.5.1", ctl, id("P")).replace(LabMessages.IEP, "");

        Ack first = engine.send(bad);
        Ack again = engine.send(bad);

        assertThat(first.msa1()).isEqualTo("AE");
        assertThat(again.msa1()).isEqualTo("AE");
        assertThat(again.err3()).isEqualTo(first.err3()).isEqualTo("101");
        assertThat(again.msa2()).isEqualTo(ctl);
    }

    @Test
    void theSameControlIdWithDifferentContentIsProcessedAsNew() {
        String reused = id("ORU");
        String placerA = id("P");
        String fillerA = id("F");
        engine.send(orm("2.5.1", id("ORM"), placerA));
        assertThat(engine.send(oru("2.5.1", reused, placerA, fillerA, "F")).msa1()).isEqualTo("AA");

        String placerB = id("P");
        String fillerB = id("F");
        engine.send(orm("2.5.1", id("ORM"), placerB));
        Ack ack = engine.send(oru("2.5.1", reused, placerB, fillerB, "F"));

        assertThat(ack.msa1()).isEqualTo("AA");
        assertThat(ack.msa2()).isEqualTo(reused);
        assertThat(engine.dftsForFiller(fillerA)).hasSize(1);
        assertThat(engine.dftsForFiller(fillerB)).as("second message with a reused MSH-10 was charged").hasSize(1);
    }

    // ---- rejections and the ACK layout -----------------------------------------------------------------------

    @Test
    void adtIsRejectedAsUnsupportedMessageType() {
        String ctl = id("ADT");
        String adt = LabMessages.join(List.of(LabMessages.msh("ADT^A01^ADT_A01", ctl, "2.5.1"),
                LabMessages.pid("MRN-ADT", "Doe^Jane"), seg("PV1", 1, "1", 2, "I")));

        Ack ack = engine.send(adt);

        assertRejected(ack, ctl, "AR", "200", "2.5.1");
        assertThat(ack.field("ERR-2-1")).isEqualTo("MSH");
        assertThat(ack.field("ERR-2-3")).isEqualTo("9");
        assertThat(outcome(adt)).isEqualTo(Disposition.REJECTED);
    }

    @Test
    void oruR30IsRejectedAsUnsupportedEvent() {
        String ctl = id("R30");
        String r30 = oru("2.5.1", ctl, id("P"), id("F"), "F").replace("ORU^R01^ORU_R01", "ORU^R30^ORU_R30");

        assertRejected(engine.send(r30), ctl, "AR", "201", "2.5.1");
    }

    @Test
    void version21AndAMissingVersionAreRejectedWith203() {
        String ctl21 = id("V21");
        String v21 = orm("2.5.1", ctl21, id("P")).replaceFirst("\\|P\\|2\\.5\\.1", "|P|2.1");
        String ctlNone = id("V0");
        String none = orm("2.5.1", ctlNone, id("P")).replaceFirst("\\|P\\|2\\.5\\.1", "|P|");

        Ack ack21 = engine.send(v21);
        Ack ackNone = engine.send(none);

        assertThat(ack21.msa1()).as(ack21.toString()).isEqualTo("AR");
        assertThat(ack21.msa2()).isEqualTo(ctl21);
        assertThat(ackNone.msa1()).as(ackNone.toString()).isEqualTo("AR");
        assertThat(ackNone.msa2()).isEqualTo(ctlNone);
        // MSH-12 is echoed (docs/billing-facts.md §5), so the v2.1 sender gets a v2.1 ACK: ERR-1 layout (no ERR-2/3
        // before v2.5), 203 in ERR-1-4. Without MSH-12 there is nothing to echo: v2.5.1, ERR-3.
        assertThat(ack21.field("MSH-12")).isEqualTo("2.1");
        assertThat(ack21.err3()).isEmpty();
        assertThat(ack21.field("ERR-1-4-1")).isEqualTo("203");
        assertThat(ack21.field("ERR-1-1")).isEqualTo("MSH");
        assertThat(ack21.field("ERR-1-3")).isEqualTo("12");
        assertThat(ackNone.field("MSH-12")).isEqualTo("2.5.1");
        assertThat(ackNone.err3()).isEqualTo("203");
        assertThat(ackNone.field("ERR-2-1")).isEqualTo("MSH");
        assertThat(ackNone.field("ERR-2-3")).isEqualTo("12");
    }

    @Test
    void missingObr4IsAe101AtObr1Field4() {
        String ctl = id("NO4");
        String msg = orm("2.5.1", ctl, id("P")).replace(LabMessages.IEP, "");

        Ack ack = engine.send(msg);

        assertRejected(ack, ctl, "AE", "101", "2.5.1");
        assertThat(ack.field("ERR-2")).isEqualTo("OBR");
        assertThat(ack.field("ERR-2-2")).isEqualTo("1");
        assertThat(ack.field("ERR-2-3")).isEqualTo("4");
        assertThat(ack.errFields().get(2)).isEqualTo("OBR^1^4");
    }

    @Test
    void malformedCollectionDateIsAe102() {
        String ctl = id("DT");
        String msg = orm("2.5.1", ctl, id("P")).replace(COLLECTED, "2026-11-20");

        Ack ack = engine.send(msg);

        assertRejected(ack, ctl, "AE", "102", "2.5.1");
        assertThat(ack.errFields().get(2)).isEqualTo("OBR^1^7");
    }

    @Test
    void aV23MessageGetsErr1AndNoErr3() {
        String ctl = id("V23");
        String msg = orm("2.3", ctl, id("P")).replace(LabMessages.IEP, "");

        Ack ack = engine.send(msg);

        assertThat(ack.msa1()).as(ack.toString()).isEqualTo("AE");
        assertThat(ack.msa2()).isEqualTo(ctl);
        assertThat(ack.field("MSH-12")).isEqualTo("2.3");
        List<String> err = ack.errFields();
        assertThat(err).as("ERR has only ERR-1: " + ack).hasSize(2);
        // ERR-1 (ELD): segment^sequence^field^code&text&HL70357
        assertThat(err.get(1)).isEqualTo("OBR^1^4^101&Required field missing&HL70357");
        assertThat(ack.field("MSA-3")).isNotEmpty();
    }

    @Test
    void aV251MessageGetsErr2Err3Err4AndNoErr1() {
        String ctl = id("V251");
        Ack ack = engine.send(orm("2.5.1", ctl, id("P")).replace(LabMessages.IEP, ""));

        List<String> err = ack.errFields();
        assertThat(err.get(1)).as("ERR-1 empty: " + ack).isEmpty();
        assertThat(err.get(2)).isEqualTo("OBR^1^4");
        assertThat(err.get(3)).isEqualTo("101^Required field missing^HL70357");
        assertThat(err.get(4)).isEqualTo("E");
        assertThat(ack.field("ERR-7")).isNotEmpty();
    }

    @Test
    void theAckCarriesTheInboundVersion() {
        for (String version : List.of("2.3", "2.3.1", "2.4", "2.5", "2.5.1")) {
            String ctl = id("VER");
            Ack ack = engine.send(orm(version, ctl, id("P")));
            assertThat(ack.msa1()).as(version + ": " + ack).isEqualTo("AA");
            assertThat(ack.msa2()).isEqualTo(ctl);
            assertThat(ack.field("MSH-12")).as(version).isEqualTo(version);
        }
    }

    // ---- an inbound ACK ----------------------------------------------------------------------------------------

    @Test
    void anInboundAckIsNotAnsweredAndTheConnectionStaysUsable() throws IOException {
        String ackId = id("ACK");
        byte[] inboundAck = LabMessages.join(List.of(LabMessages.msh("ACK^O01^ACK", ackId, "2.5.1"),
                seg("MSA", 1, "AA", 2, "SOMEDFT1"))).getBytes(StandardCharsets.US_ASCII);
        String ormId = id("ORM");
        ch.qos.logback.classic.Logger failureLog = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(LisFailure.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> failures =
                new ch.qos.logback.core.read.ListAppender<>();
        failures.start();
        failureLog.addAppender(failures);

        try (EngineHarness.Connection c = engine.connect()) {
            c.write(inboundAck);
            // No fixed wait before the absence: first the positive signal that the engine processed the ACK (it is
            // recorded), then the ORM on the same connection. Had the ACK been answered, that answer would be the
            // first frame read. (Waiting also keeps the two frames apart: camel-mllp 4.17.0 loses pipelined frames.)
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> engine.outcomeOf(inboundAck).isPresent());
            Ack next = c.exchange(orm("2.5.1", ormId, id("P")).getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(20));
            assertThat(next.msa2()).as("the first answer on the connection belongs to the ORM: the ACK got none")
                    .isEqualTo(ormId);
            assertThat(next.msa1()).isEqualTo("AA");
            assertThat(c.isOpen()).isTrue();
        } finally {
            failureLog.detachAppender(failures);
        }
        assertThat(failures.list).as("no failure reported for a deliberately unanswered ACK")
                .noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN));
        assertThat(engine.outcomeOf(inboundAck)).map(Outcome::disposition).contains(Disposition.NO_ANSWER);
    }

    // ---- character sets ----------------------------------------------------------------------------------------

    @Test
    void aLatin1NameArrivesUnchangedInTheDft() {
        assertNameSurvives(StandardCharsets.ISO_8859_1, "8859/1");
    }

    @Test
    void aUtf8NameArrivesUnchangedInTheDft() {
        assertNameSurvives(StandardCharsets.UTF_8, "UNICODE UTF-8");
    }

    private void assertNameSurvives(Charset charset, String msh18) {
        String name = "Müller^Jürgen^Ä";
        String placer = id("P");
        String filler = id("F");
        byte[] ormBytes = orm("2.5.1", id("ORM"), placer, name, msh18).getBytes(charset);
        byte[] oruBytes = oru("2.5.1", id("ORU"), placer, filler, "F", name, msh18).getBytes(charset);
        assertThat(new String(ormBytes, StandardCharsets.ISO_8859_1)).as("really sent in " + charset)
                .contains(new String("Müller".getBytes(charset), StandardCharsets.ISO_8859_1));

        assertThat(engine.send(ormBytes).msa1()).isEqualTo("AA");
        Ack oruAck = engine.send(oruBytes);
        assertThat(oruAck.msa1()).isEqualTo("AA");

        List<String> dfts = engine.dftsForFiller(filler);
        assertThat(dfts).hasSize(1);
        assertThat(DftFacts.read(dfts.get(0)).pid().name()).isEqualTo(name);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static void assertRejected(Ack ack, String controlId, String code, String err3, String version) {
        assertThat(ack.msa1()).as(ack.toString()).isEqualTo(code);
        assertThat(ack.msa2()).as("MSA-2 echoes MSH-10").isEqualTo(controlId);
        assertThat(ack.err3()).as(ack.toString()).isEqualTo(err3);
        assertThat(ack.field("ERR-4")).isEqualTo("E");
        assertThat(ack.field("MSH-12")).isEqualTo(version);
    }

    private static Disposition outcome(String message) {
        return engine.outcomeOf(message.getBytes(StandardCharsets.UTF_8)).map(Outcome::disposition).orElse(null);
    }
}
