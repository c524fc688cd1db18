package org.iepcharge.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.iepcharge.billing.DftBuilder;
import org.iepcharge.billing.DftSettings;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.ledger.AuditWrite;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.ledger.LedgerException;
import org.iepcharge.ledger.LedgerSession;
import org.iepcharge.ledger.LineStatus;
import org.iepcharge.ledger.OutboxItem;
import org.iepcharge.ledger.StoredLine;
import org.iepcharge.domain.HoldReason;
import org.iepcharge.rules.RuleSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The events of docs/decision-contract.md §7 through the real edge, capture, rules and a SQLite ledger: what is posted,
 * credited, withdrawn or held for each sequence of messages. Expected values are read off docs/decision-contract.md,
 * not the code.
 */
class ChargeCaptureTest {

    @TempDir
    Path dir;

    private JdbcLedger ledger;
    private ChargeCapture capture;
    private final InboundEdge edge = new InboundEdge(StandardCharsets.UTF_8);

    /**
     * {@code -Diep.test.captureLedger=postgresql} runs these tests on the PostgreSQL of {@code IEP_TEST_PG_URL} (a
     * fresh schema per test, dropped after it), whose writer holds writes back ({@code DeferredWrites}); default
     * SQLite.
     */
    private static final boolean ON_POSTGRES = "postgresql".equalsIgnoreCase(System.getProperty(
            "iep.test.captureLedger", "sqlite"));
    private String pgSchema;

    private JdbcLedger openLedger() {
        if (!ON_POSTGRES) {
            return JdbcLedger.open(JdbcLedger.sqliteFileUrl(dir), "", "");
        }
        String base = System.getenv("IEP_TEST_PG_URL");
        String user = System.getenv("IEP_TEST_PG_USER");
        String password = System.getenv("IEP_TEST_PG_PASSWORD");
        pgSchema = "capture_" + Long.toString(System.nanoTime() % 1_000_000_000_000L, 36);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(base, user, password);
             java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + pgSchema);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("PostgreSQL asked for (iep.test.captureLedger) but not reachable", e);
        }
        return JdbcLedger.open(base + (base.contains("?") ? "&" : "?") + "currentSchema=" + pgSchema, user, password);
    }

    private void start(RuleSet rules) {
        ledger = openLedger();
        capture = new ChargeCapture(ledger, new RulesLinePlanner(rules),
                new DftBuilder(new DftSettings("IEP", "LAB", "BILL", "BILLF")),
                rules.site().chargeTrigger() == org.iepcharge.rules.ChargeTrigger.ORDER, Clock.systemUTC());
    }

    @AfterEach
    void close() throws java.sql.SQLException {
        if (ledger != null) {
            ledger.close();
        }
        if (pgSchema != null) {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(System.getenv("IEP_TEST_PG_URL"),
                    System.getenv("IEP_TEST_PG_USER"), System.getenv("IEP_TEST_PG_PASSWORD"));
                 java.sql.Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA " + pgSchema + " CASCADE");
            }
        }
    }

    // ---- messages ------------------------------------------------------------------------------------------------

    private static String msh(String type, String id, String processing) {
        return "MSH|^~\\&|LIS|MAINLAB|IEP|MAINLAB|20261121100000||" + type + "|" + id + "|" + processing + "|2.5.1\r";
    }

    private static final String PID = "PID|1||MRN1^^^MAINLAB^MR||Doe^Jane||19580312|F\r";

    static String order(String id, String control, String placer) {
        return msh("ORM^O01^ORM_O01", id, "P") + PID + "PV1|1|O|OUTPT^^^MAINLAB\r"
                + "IN1|1|MCR|00430^^^CMS|MEDICARE PART B\r"
                + "ORC|" + control + "|" + placer + "^LIS||||||||||1234567890^Welby^Marcus^^^^^^NPI\r"
                + "OBR|1|" + placer + "^LIS||13169-8^Immunoelectrophoresis serum^LN|||20261120080000\r"
                + "DG1|1||D47.2^Monoclonal gammopathy^I10||||F\r";
    }

    static String result(String id, String placer, String status, String collected, String processing) {
        return msh("ORU^R01^ORU_R01", id, processing) + PID
                + "ORC|RE|" + placer + "^LIS|F" + placer + "^LAB\r"
                + "OBR|1|" + placer + "^LIS|F" + placer + "^LAB|13169-8^Immunoelectrophoresis serum^LN|||"
                + collected + "|||||||||1234567890^Welby^Marcus^^^^^^NPI|||||||||" + status + "\r"
                + "OBX|1|TX|13169-8^IEP^LN||IgG kappa||||||" + (status.equals("C") ? "C" : "F") + "\r";
    }

    private Outcome send(String message) {
        return capture.capture(edge.read(message.getBytes(StandardCharsets.UTF_8)));
    }

    private List<OutboxItem> outbox() {
        return ledger.undelivered();
    }

    private List<StoredLine> lines(String placer) {
        return ledger.read(s -> s.lines().forOrder("P:" + placer + "^LIS"));
    }

    private org.iepcharge.ledger.CancelState cancelState() {
        return ledger.read(s -> s.tests().cancelState("P:P1^LIS", "86320"));
    }

    private List<HoldRecord> holds() {
        return ledger.read(s -> s.holds().allOpen());
    }

    private static String ft1(OutboxItem item, int field) {
        String dft = new String(item.payload(), StandardCharsets.UTF_8);
        for (String segment : dft.split("\r")) {
            if (segment.startsWith("FT1|")) {
                return segment.split("\\|", -1)[field];
            }
        }
        throw new AssertionError("no FT1");
    }

    private RuleSet rulesWith(String from, String to) throws Exception {
        String text = new String(RuleSet.class.getResourceAsStream("/rules/default-rules.yaml").readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(text).contains(from);
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, text.replace(from, to));
        return RuleSet.load(file);
    }

    // ---- §7 -----------------------------------------------------------------------------------------------------

    @Test
    void orderThenFinalResultPostsOneTechnicalLine() {
        start(RuleSet.builtIn());
        assertThat(send(order("O1", "NW", "P1")).disposition()).isEqualTo(Disposition.IGNORED);
        Outcome r = send(result("R1", "P1", "F", "20261120080000", "P"));
        assertThat(r.ackCode()).isEqualTo("AA");
        assertThat(r.disposition()).isEqualTo(Disposition.CHARGED);
        assertThat(outbox()).hasSize(1);
        assertThat(ft1(outbox().get(0), 6)).isEqualTo("CG");
        assertThat(ft1(outbox().get(0), 25)).startsWith("86320^");
        assertThat(ft1(outbox().get(0), 2)).hasSizeLessThanOrEqualTo(12);
    }

    @Test
    void theSameMessageAgainGetsTheOriginalAnswerAndPostsNothing() {
        start(RuleSet.builtIn());
        send(order("O1", "NW", "P1"));
        String r = result("R1", "P1", "F", "20261120080000", "P");
        Outcome first = send(r);
        Outcome again = send(r);
        assertThat(again).isEqualTo(first);
        assertThat(outbox()).hasSize(1);
    }

    @Test
    void theSameControlIdWithOtherContentIsANewMessage() {
        start(RuleSet.builtIn());
        send(order("O1", "NW", "P1"));
        send(order("O1", "NW", "P2"));
        java.util.Optional<org.iepcharge.domain.OrderContext> second = ledger.read(s -> s.orders().findContext(
                new org.iepcharge.domain.OrderKey(new org.iepcharge.domain.EntityId("P2", "LIS"), null)));
        assertThat(second).isPresent();
    }

    @Test
    void interimThenFinalPostsOnceAndAFurtherFinalPostsNothing() {
        start(RuleSet.builtIn());
        send(order("O1", "NW", "P1"));
        assertThat(send(result("R1", "P1", "P", "20261120080000", "P")).disposition())
                .isEqualTo(Disposition.IGNORED);
        assertThat(outbox()).isEmpty();
        send(result("R2", "P1", "F", "20261120080000", "P"));
        send(result("R3", "P1", "F", "20261120080000", "P"));
        assertThat(outbox()).hasSize(1);
    }

    @Test
    void aCorrectionThatChangesTheDateOfServiceCreditsAndRepostsUnderANewTransactionId() {
        start(RuleSet.builtIn());
        send(order("O1", "NW", "P1"));
        send(result("R1", "P1", "F", "20261120080000", "P"));
        OutboxItem charge = outbox().get(0);
        String chargeId = ft1(charge, 2);
        ledger.markDelivered(charge.id(), "AA");
        Outcome corrected = send(result("R2", "P1", "C", "20261119080000", "P"));
        assertThat(corrected.disposition()).isEqualTo(Disposition.CHARGED);
        List<OutboxItem> items = outbox();
        assertThat(items).hasSize(2);
        assertThat(ft1(items.get(0), 6)).isEqualTo("CD");
        assertThat(ft1(items.get(0), 2)).as("the credit carries the charge's FT1-2").isEqualTo(chargeId);
        assertThat(ft1(items.get(0), 4)).startsWith("20261120");
        assertThat(ft1(items.get(1), 6)).isEqualTo("CG");
        assertThat(ft1(items.get(1), 2)).isNotEqualTo(chargeId);
        assertThat(ft1(items.get(1), 4)).startsWith("20261119");
    }

    @Test
    void aCorrectionBeforeTheChargeLeftTheOutboxWithdrawsItInsteadOfCrediting() {
        start(RuleSet.builtIn());
        send(order("O1", "NW", "P1"));
        send(result("R1", "P1", "F", "20261120080000", "P"));
        send(result("R2", "P1", "C", "20261119080000", "P"));
        List<OutboxItem> items = outbox();
        assertThat(items).as("only the corrected charge is sent").singleElement()
                .satisfies(i -> assertThat(ft1(i, 6)).isEqualTo("CG"))
                .satisfies(i -> assertThat(ft1(i, 4)).startsWith("20261119"));
        assertThat(lines("P1")).extracting(StoredLine::status)
                .containsExactly(LineStatus.WITHDRAWN, LineStatus.POSTED);
    }

    @Test
    void aCorrectionThatChangesNothingBilledPostsNothing() {
        start(RuleSet.builtIn());
        send(order("O1", "NW", "P1"));
        send(result("R1", "P1", "F", "20261120080000", "P"));
        send(result("R2", "P1", "C", "20261120080000", "P"));
        assertThat(outbox()).hasSize(1);
    }

    @Test
    void aCancelRequestCreditsNothingAndUnableToCancelClearsIt() {
        start(RuleSet.builtIn());
        send(order("O1", "NW", "P1"));
        send(order("O2", "CA", "P1"));
        assertThat(cancelState()).isEqualTo(org.iepcharge.ledger.CancelState.REQUESTED);
        send(order("O3", "UC", "P1"));
        assertThat(cancelState()).isEqualTo(org.iepcharge.ledger.CancelState.NONE);
        send(result("R1", "P1", "F", "20261120080000", "P"));
        assertThat(outbox()).hasSize(1);
    }

    @Test
    void aConfirmedCancelBeforeTheResultHoldsTheLaterResult() {
        start(RuleSet.builtIn());
        send(order("O1", "NW", "P1"));
        send(order("O2", "OC", "P1"));
        assertThat(send(result("R1", "P1", "F", "20261120080000", "P")).disposition())
                .isEqualTo(Disposition.HELD);
        assertThat(outbox()).isEmpty();
        assertThat(holds()).extracting(HoldRecord::reasonCode).containsExactly(HoldReason.CANCEL_AFTER_RESULT);
    }

    @Test
    void aConfirmedCancelAfterTheChargeIsHeldForReviewNotCredited() {
        start(RuleSet.builtIn());
        send(order("O1", "NW", "P1"));
        send(result("R1", "P1", "F", "20261120080000", "P"));
        send(order("O2", "CR", "P1"));
        assertThat(outbox()).hasSize(1);
        assertThat(holds()).extracting(HoldRecord::reasonCode).containsExactly(HoldReason.CANCEL_AFTER_RESULT);
    }

    @Test
    void underTriggerOrderACancelBeforeDeliveryWithdrawsTheChargeWithItsCredit() throws Exception {
        start(rulesWith("chargeTrigger: RESULT", "chargeTrigger: ORDER"));
        assertThat(send(order("O1", "NW", "P1")).disposition()).isEqualTo(Disposition.CHARGED);
        assertThat(outbox()).hasSize(1);
        assertThat(send(order("O2", "OC", "P1")).disposition()).as("the cancel's outcome")
                .isEqualTo(Disposition.WITHDRAWN);
        assertThat(outbox()).as("neither the charge nor its credit is sent").isEmpty();
        assertThat(lines("P1")).extracting(StoredLine::status).containsExactly(LineStatus.WITHDRAWN);
    }

    @Test
    void underTriggerOrderACancelAfterDeliveryIsACreditMirroringTheCharge() throws Exception {
        start(rulesWith("chargeTrigger: RESULT", "chargeTrigger: ORDER"));
        send(order("O1", "NW", "P1"));
        OutboxItem charge = outbox().get(0);
        ledger.markDelivered(charge.id(), "AA");
        send(order("O2", "OC", "P1"));
        List<OutboxItem> items = outbox();
        assertThat(items).hasSize(1);
        assertThat(ft1(items.get(0), 6)).isEqualTo("CD");
        assertThat(ft1(items.get(0), 2)).isEqualTo(ft1(charge, 2));
        assertThat(ft1(items.get(0), 25)).isEqualTo(ft1(charge, 25));
        assertThat(ft1(items.get(0), 10)).isEqualTo(ft1(charge, 10));
        send(order("O3", "OC", "P1"));
        assertThat(outbox()).as("a credit is posted once").hasSize(1);
    }

    @Test
    void aResultBeforeItsOrderIsHeldAndPostedWhenTheOrderArrives() {
        start(RuleSet.builtIn());
        assertThat(send(result("R1", "P1", "F", "20261120080000", "P")).disposition())
                .isEqualTo(Disposition.HELD);
        assertThat(holds()).extracting(HoldRecord::reasonCode).containsExactly(HoldReason.PAYER_UNKNOWN);
        assertThat(send(order("O1", "NW", "P1")).disposition()).isEqualTo(Disposition.CHARGED);
        assertThat(holds()).isEmpty();
        assertThat(outbox()).hasSize(1);
    }

    @Test
    void trainingTrafficKeepsItsProcessingId() {
        start(RuleSet.builtIn());
        send(order("O1", "NW", "P1"));
        send(result("R1", "P1", "F", "20261120080000", "T"));
        String dft = new String(outbox().get(0).payload(), StandardCharsets.UTF_8);
        assertThat(dft.split("\r")[0].split("\\|", -1)[10]).isEqualTo("T");
        assertThat(lines("P1")).singleElement().satisfies(l -> assertThat(l.production()).isFalse());
    }

    @Test
    void anUnknownResultStatusIsHeld() {
        start(RuleSet.builtIn());
        send(order("O1", "NW", "P1"));
        assertThat(send(result("R1", "P1", "Q", "20261120080000", "P")).disposition())
                .isEqualTo(Disposition.HELD);
        assertThat(holds()).extracting(HoldRecord::reasonCode).containsExactly(HoldReason.UNKNOWN_RESULT_STATUS);
    }

    @Test
    void anUnmappedIepLikeTestIsHeldNotCharged() {
        start(RuleSet.builtIn());
        String unmapped = result("R1", "P1", "F", "20261120080000", "P")
                .replace("13169-8^Immunoelectrophoresis serum^LN", "X123^IEP serum panel^L");
        assertThat(send(unmapped).disposition()).isEqualTo(Disposition.HELD);
        assertThat(holds()).extracting(HoldRecord::reasonCode).containsExactly(HoldReason.UNMAPPED_IEP_LIKE_TEST);
        assertThat(outbox()).isEmpty();
    }

    @Test
    void twoUnmappedIepLikeTestsOfOneOrderAreHeldEachOnce() {
        start(RuleSet.builtIn());
        // Two groups of the same order, both IEP-like by name and neither in the charge master: no CPT tells them
        // apart, their codes do (docs/decision-contract.md §6: never silently dropped).
        String first = result("R1", "P1", "F", "20261120080000", "P")
                .replace("13169-8^Immunoelectrophoresis serum^LN", "X123^IEP serum panel^L");
        String second = first.substring(first.indexOf("ORC|")).replace("X123^IEP serum panel^L",
                "X456^Immunofixation serum^L");
        assertThat(send(first + second).disposition()).isEqualTo(Disposition.HELD);
        assertThat(send(first.replace("|R1|", "|R2|")).disposition()).as("the first test again").isEqualTo(
                Disposition.HELD);
        assertThat(holds()).extracting(HoldRecord::reasonCode)
                .containsExactly(HoldReason.UNMAPPED_IEP_LIKE_TEST, HoldReason.UNMAPPED_IEP_LIKE_TEST);
        assertThat(holds()).extracting(HoldRecord::reasonText).anySatisfy(text -> assertThat(text).contains("X123^L"))
                .anySatisfy(text -> assertThat(text).contains("X456^L"));
        assertThat(outbox()).isEmpty();
    }

    @Test
    void anIepTestSentWithItsNameOnlyIsHeldAsUnmappedIepLike() {
        // docs/decision-contract.md §3: a name never decides a CPT, but an IEP-like name is held, not refused or ignored.
        start(RuleSet.builtIn());
        String textOnly = result("R1", "P1", "F", "20261120080000", "P")
                .replace("13169-8^Immunoelectrophoresis serum^LN", "^Immunoelectrophoresis, serum^");
        Outcome outcome = send(textOnly);
        assertThat(outcome.ackCode()).isEqualTo("AA");
        assertThat(outcome.disposition()).isEqualTo(Disposition.HELD);
        assertThat(holds()).extracting(HoldRecord::reasonCode).containsExactly(HoldReason.UNMAPPED_IEP_LIKE_TEST);
        assertThat(outbox()).isEmpty();
    }

    @Test
    void anotherTestSentWithItsNameOnlyIsAcceptedAndNotCharged() {
        start(RuleSet.builtIn());
        String textOnly = result("R1", "P1", "F", "20261120080000", "P")
                .replace("13169-8^Immunoelectrophoresis serum^LN", "^KNEE-RIGHT AP LAT^L")
                .replace("13169-8^IEP^LN", "X1^Finding^L");
        Outcome outcome = send(textOnly);
        assertThat(outcome.ackCode()).isEqualTo("AA");
        assertThat(outcome.disposition()).isEqualTo(Disposition.IGNORED);
        assertThat(holds()).isEmpty();
    }

    @Test
    void noOrderNumberIsRefusedOnlyForATestWeWouldCharge() {
        start(RuleSet.builtIn());
        String keyless = result("R1", "P1", "F", "20261120080000", "P")
                .replace("ORC|RE|P1^LIS|FP1^LAB", "ORC|RE").replace("OBR|1|P1^LIS|FP1^LAB|", "OBR|1|||");
        Outcome charged = send(keyless);
        assertThat(charged.ackCode()).isEqualTo("AE");
        assertThat(charged.errorCode()).isEqualTo(101);
        assertThat(charged.errorLocation()).isEqualTo("ORC^1^2");

        Outcome iepLike = send(keyless.replace("|R1|", "|R2|")
                .replace("13169-8^Immunoelectrophoresis serum^LN", "X123^IEP serum panel^L"));
        assertThat(iepLike.errorCode()).as("an IEP-like test would be held: it needs its order too").isEqualTo(101);

        Outcome other = send(keyless.replace("|R1|", "|R3|")
                .replace("13169-8^Immunoelectrophoresis serum^LN", "2345-7^Glucose^LN")
                .replace("13169-8^IEP^LN", "2345-7^Glucose^LN"));
        assertThat(other.ackCode()).isEqualTo("AA");
        assertThat(other.disposition()).isEqualTo(Disposition.IGNORED);
        assertThat(holds()).isEmpty();
        assertThat(outbox()).isEmpty();
    }

    @Test
    void aReleasedHoldIsPostedOnceEvenIfReleasedTwice() {
        start(RuleSet.builtIn());
        send(result("R1", "P1", "F", "20261120080000", "P"));
        long id = holds().get(0).id();
        // The analyst adds the payer to the order context by resending the order: it re-evaluates on its own.
        send(order("O1", "NW", "P1"));
        assertThat(outbox()).hasSize(1);
        List<ChargeCapture.ReleaseResult> audited = new ArrayList<>();
        assertThat(capture.releaseHold(id, (s, r) -> audited.add(r))).isEqualTo(ChargeCapture.ReleaseResult.NOT_OPEN);
        assertThat(outbox()).hasSize(1);
        assertThat(audited).containsExactly(ChargeCapture.ReleaseResult.NOT_OPEN);
    }

    @Test
    void discardClosesTheHoldWithTheReason() {
        start(RuleSet.builtIn());
        send(result("R1", "P1", "F", "20261120080000", "P"));
        long id = holds().get(0).id();
        List<Boolean> audited = new ArrayList<>();
        assertThat(capture.discardHold(id, "test order", (s, done) -> audited.add(done))).isTrue();
        assertThat(capture.discardHold(id, "again", (s, done) -> audited.add(done))).isFalse();
        assertThat(holds()).isEmpty();
        assertThat(audited).containsExactly(true, false);
    }

    @Test
    void aHoldActionWhoseAuditWriteFailsDoesNotHappen() {
        start(RuleSet.builtIn());
        send(result("R1", "P1", "F", "20261120080000", "P"));
        long id = holds().get(0).id();
        AuditWrite<Boolean> failingDiscard = (s, done) -> {
            throw new SQLException("no space left for the audit row", "53100");
        };
        AuditWrite<ChargeCapture.ReleaseResult> failingRelease = (s, r) -> {
            throw new SQLException("no space left for the audit row", "53100");
        };

        assertThatThrownBy(() -> capture.discardHold(id, "test order", failingDiscard))
                .isInstanceOf(LedgerException.class);
        assertThatThrownBy(() -> capture.releaseHold(id, failingRelease)).isInstanceOf(LedgerException.class);

        assertThat(holds()).extracting(HoldRecord::id).containsExactly(id);
        assertThat(outbox()).isEmpty();
    }

    // ---- a ledger failure inside the capture ----------------------------------------------------------------------

    /** The ledger's own sequences, failing the first FT1-2 draw with {@code sqlState}. */
    private static ChargeIds failingOnce(String sqlState) {
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        return failingWhile(() -> !failed.getAndSet(true), sqlState);
    }

    private static ChargeIds failingUntil(java.util.concurrent.atomic.AtomicBoolean healed, String sqlState) {
        return failingWhile(() -> !healed.get(), sqlState);
    }

    /** Drawing a transaction ID fails with {@code sqlState} while {@code failing} says so. */
    private static ChargeIds failingWhile(java.util.function.BooleanSupplier failing, String sqlState) {
        return new ChargeIds() {
            @Override
            public String nextDftControlId(LedgerSession session) throws SQLException {
                return ChargeIds.LEDGER_SEQUENCES.nextDftControlId(session);
            }

            @Override
            public String nextTransactionId(LedgerSession session) throws SQLException {
                if (failing.getAsBoolean()) {
                    throw new SQLException("failed on purpose", sqlState);
                }
                return ChargeIds.LEDGER_SEQUENCES.nextTransactionId(session);
            }
        };
    }

    private void startWith(ChargeIds ids) {
        RuleSet rules = RuleSet.builtIn();
        ledger = openLedger();
        capture = new ChargeCapture(ledger, new RulesLinePlanner(rules),
                new DftBuilder(new DftSettings("IEP", "LAB", "BILL", "BILLF")), false, Clock.systemUTC(), ids);
    }

    @Test
    void aUniqueKeyRaceMidCaptureIsDecidedAgainOnWhatTheLedgerHolds() {
        startWith(failingOnce("23505"));
        send(order("O1", "NW", "P1"));
        String r = result("R1", "P1", "F", "20261120080000", "P");
        Outcome outcome = send(r);
        assertThat(outcome.ackCode()).isEqualTo("AA");
        assertThat(outcome.disposition()).isEqualTo(Disposition.CHARGED);
        assertThat(outbox()).as("one DFT: the failed attempt left nothing").hasSize(1);
        assertThat(lines("P1")).hasSize(1);
        assertThat(ledger.read((LedgerSession s) -> s.inbound().outcomeByContent(ChargeCapture.sha256(
                r.getBytes(StandardCharsets.UTF_8))))).get().extracting(Outcome::disposition)
                .isEqualTo(Disposition.CHARGED);
    }

    @Test
    void anyOtherLedgerFailureMidCaptureIsALedgerExceptionAndNothingOfTheMessageRemains() {
        // Failing until healed, not once: on PostgreSQL a batch that fails runs again with savepoints, so a failure
        // that happens once only is absorbed by that rerun and never reaches the caller.
        java.util.concurrent.atomic.AtomicBoolean healed = new java.util.concurrent.atomic.AtomicBoolean();
        startWith(failingUntil(healed, "08006"));
        send(order("O1", "NW", "P1"));
        String r = result("R1", "P1", "F", "20261120080000", "P");
        assertThatThrownBy(() -> send(r)).isInstanceOf(LedgerException.class)
                .hasRootCauseInstanceOf(SQLException.class).hasRootCauseMessage("failed on purpose");
        assertThat(ledger.read((LedgerSession s) -> s.inbound().outcomeByContent(ChargeCapture.sha256(
                r.getBytes(StandardCharsets.UTF_8))))).isEmpty();
        assertThat(outbox()).isEmpty();
        assertThat(lines("P1")).isEmpty();
        // The LIS resends after AR 207: now it is charged.
        healed.set(true);
        assertThat(send(r).disposition()).isEqualTo(Disposition.CHARGED);
        assertThat(outbox()).hasSize(1);
    }
}
