package org.iepcharge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;


import org.iepcharge.capture.CaptureAssembly;
import org.iepcharge.config.EngineSettings;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.ledger.OpsQueries;
import org.iepcharge.ops.OperatorActions;
import org.iepcharge.rules.RuleSet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.iepcharge.testkit.SystemProperties;

/** {@code holds} and {@code explain} on a ledger the engine's own capture filled (as if the engine had run). */
class HoldsAndExplainCommandTest {

    @TempDir
    Path tmp;

    @RegisterExtension
    final SystemProperties properties = new SystemProperties();

    private static final String UNMAPPED_RESULT = "MSH|^~\\&|LIS|MAINLAB|IEP|MAINLAB|20261121||ORU^R01^ORU_R01|R-77|P|2.5.1\r"
            + "PID|1||MRN77^^^MAINLAB^MR||Zed^Zoe||19700101|F\r"
            + "ORC|RE|PL77^LIS|FL77^LAB||||||||||1234567890^Welby^Marcus^^^^^^NPI\r"
            + "OBR|1|PL77^LIS|FL77^LAB|LOCAL-IEP^IEP serum panel^L|||20261120080000||||||||||||||||||F\r"
            + "OBX|1|TX|LOCAL-IEP^IEP^L||text||||||F\r";

    @BeforeEach
    void settings() {
        properties.set("iep.dataDir", tmp.resolve("data").toString());
        properties.set("iep.routes", tmp.toString());
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** Feeds messages through the engine's own capture into the engine's ledger. */
    private void engineReceived(String... messages) {
        EngineSettings settings = EngineSettings.fromEnvironment();
        try (JdbcLedger ledger = JdbcLedger.open(settings.ledgerUrl(), settings.ledgerUser(),
                settings.ledgerPassword())) {
            ChargeCapture capture = CaptureAssembly.newCapture(settings, CaptureAssembly.rules(settings), ledger);
            InboundEdge edge = new InboundEdge(StandardCharsets.UTF_8);
            for (String m : messages) {
                capture.capture(edge.read(m.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private List<HoldRecord> openHolds() {
        EngineSettings settings = EngineSettings.fromEnvironment();
        try (JdbcLedger ledger = JdbcLedger.open(settings.ledgerUrl(), settings.ledgerUser(),
                settings.ledgerPassword())) {
            return ledger.read(s -> s.holds().allOpen());
        }
    }

    @Test
    void holdsListsReasonAndKeysButNoPatientData() {
        engineReceived(UNMAPPED_RESULT);
        CliRun r = run("holds");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("UNMAPPED_IEP_LIKE_TEST", "P:PL77^LIS", "MRN77^MAINLAB");
        assertThat(r.out()).doesNotContain("Zed", "Zoe", "19700101");
    }

    @Test
    void discardClosesAHoldOnceWithItsReason() {
        engineReceived(UNMAPPED_RESULT);
        long id = openHolds().get(0).id();
        CliRun first = run("holds", "discard", String.valueOf(id), "--reason", "research specimen, not billable");
        assertThat(first.exit()).isZero();
        assertThat(first.out()).contains("discarded: research specimen, not billable");
        assertThat(run("holds").out()).contains("no open holds");
        CliRun again = run("holds", "discard", String.valueOf(id), "--reason", "again");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("is not open");
        // Both attempts are in the audit trail (the console's actions run the same code).
        assertThat(auditTrail()).extracting(a -> a.action() + " " + a.target() + " " + a.reason() + " " + a.result()
                        + " " + a.actor())
                .containsExactlyInAnyOrder(
                        "HOLD_DISCARD hold " + id + " research specimen, not billable DISCARDED "
                                + OperatorActions.commandLineUser(),
                        "HOLD_DISCARD hold " + id + " again NOT_OPEN " + OperatorActions.commandLineUser());
    }

    private List<OpsQueries.AuditRecord> auditTrail() {
        EngineSettings settings = EngineSettings.fromEnvironment();
        try (JdbcLedger ledger = JdbcLedger.open(settings.ledgerUrl(), settings.ledgerUser(),
                settings.ledgerPassword())) {
            return ledger.read(s -> OpsQueries.auditTrail(s, 10));
        }
    }

    @Test
    void releaseAfterTheAnalystMapsTheCodeChargesIt() throws Exception {
        engineReceived(order("PL77"), UNMAPPED_RESULT);
        long id = openHolds().get(0).id();
        CliRun still = run("holds", "release", String.valueOf(id));
        assertThat(still.exit()).as(still.err()).isZero();
        assertThat(still.out()).contains("hold " + id + " re-evaluated: still held as hold " + id
                + " (UNMAPPED_IEP_LIKE_TEST)");
        assertThat(openHolds()).extracting(HoldRecord::id).as("the line keeps its hold ID").containsExactly(id);

        long held = openHolds().get(0).id();
        String rules = new String(RuleSet.class.getResourceAsStream("/rules/default-rules.yaml").readAllBytes(),
                StandardCharsets.UTF_8);
        String mapped = rules.replace("chargeMaster:\n", "chargeMaster:\n"
                + "  - code: LOCAL-IEP\n    system: L\n    cpt: \"86320\"\n"
                + "    description: IMMUNOELECTROPHORESIS SERUM\n    pcTcIndicator: 6\n");
        assertThat(mapped).isNotEqualTo(rules);
        Path file = tmp.resolve("rules.yaml");
        Files.writeString(file, mapped);
        properties.set("iep.rules", file.toString());

        CliRun r = run("holds", "release", String.valueOf(held));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("released: charge queued for billing");
        assertThat(openHolds()).isEmpty();
        assertThat(run("holds", "release", String.valueOf(held)).exit()).as("never posted twice").isEqualTo(1);
    }

    /** A line the rules hold again on release (re-decided, not just re-opened) keeps its ID too. */
    @Test
    void aLineReDecidedAndStillHeldKeepsItsHoldId() {
        String orm = order("PL66").replace("LOCAL-IEP^IEP serum panel^L", "13169-8^Immunoelectrophoresis^LN")
                .replace("DG1|1||D47.2^Monoclonal gammopathy^I10||||F\r", "").replace("O-PL66", "O-66");
        String oru = UNMAPPED_RESULT.replace("LOCAL-IEP^IEP serum panel^L", "13169-8^Immunoelectrophoresis^LN")
                .replace("LOCAL-IEP^IEP^L", "13169-8^IEP^LN").replace("PL77", "PL66").replace("FL77", "FL66")
                .replace("R-77", "R-66");
        engineReceived(orm, oru);
        List<HoldRecord> before = openHolds();
        assertThat(before).as("a Medicare IEP without a diagnosis is held").hasSize(1);
        long id = before.get(0).id();

        CliRun r = run("holds", "release", String.valueOf(id));

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("hold " + id + " re-evaluated: still held as hold " + id + " ("
                + before.get(0).reasonCode() + ")");
        assertThat(openHolds()).extracting(HoldRecord::id, HoldRecord::reasonCode)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(id, before.get(0).reasonCode()));
    }

    private static String order(String placer) {
        return "MSH|^~\\&|LIS|MAINLAB|IEP|MAINLAB|20261120||ORM^O01^ORM_O01|O-" + placer + "|P|2.5.1\r"
                + "PID|1||MRN77^^^MAINLAB^MR||Zed^Zoe||19700101|F\r"
                + "IN1|1|MCR|00430|MEDICARE PART B\r"
                + "ORC|NW|" + placer + "^LIS||||||||||1234567890^Welby^Marcus^^^^^^NPI\r"
                + "OBR|1|" + placer + "^LIS||LOCAL-IEP^IEP serum panel^L|||20261120080000\r"
                + "DG1|1||D47.2^Monoclonal gammopathy^I10||||F\r";
    }

    @Test
    void explainShowsTheRulesTheLineAndWhatTheEngineDid() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("msgs"));
        String orm = order("PL88").replace("LOCAL-IEP^IEP serum panel^L", "13169-8^Immunoelectrophoresis^LN")
                .replace("MRN77", "MRN88");
        String oru = UNMAPPED_RESULT.replace("LOCAL-IEP^IEP serum panel^L", "13169-8^Immunoelectrophoresis^LN")
                .replace("LOCAL-IEP^IEP^L", "13169-8^IEP^LN").replace("PL77", "PL88").replace("FL77", "FL88")
                .replace("MRN77", "MRN88").replace("R-77", "R-88");
        Files.writeString(dir.resolve("1-orm.hl7"), orm);
        Files.writeString(dir.resolve("2-oru.hl7"), oru);
        engineReceived(orm, oru);

        CliRun r = run("explain", dir.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("== ", "1-orm.hl7", "2-oru.hl7", "answer: AA")
                .contains("payer MEDICARE")
                .contains("T line CPT 86320 modifiers (none)")
                .contains("engine: received")
                .contains("posted FT1-2 C");
        assertThat(r.out()).doesNotContain("Zed", "Zoe", "19700101");
    }
}
