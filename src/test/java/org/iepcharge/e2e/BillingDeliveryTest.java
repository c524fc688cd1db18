package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import org.iepcharge.billing.local.BillingReceiver;
import org.iepcharge.ledger.LedgerSession;
import org.iepcharge.ledger.OpsQueries;
import org.iepcharge.ops.OperatorActions;
import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.EngineHarness.Row;
import org.iepcharge.testkit.LabMessages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;



/**
 * The delivery contract end to end: a real engine (the project's route files, camel-mllp producer, SQLite ledger) takes
 * IEP ORM+ORU pairs from a LIS and delivers the DFTs to a billing peer the test controls. A DFT counts as delivered
 * only on AA/CA for its own MSH-10; an outage or billing's own trouble (206/207) is retried for as long as it takes;
 * any other refusal parks the DFT, holding back only later DFTs of the same order.
 */
class BillingDeliveryTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    EngineHarness engine;
    final BillingReceiver billing = new BillingReceiver();

    /** Settings on top of the harness's (the four-connection variant of these tests sets its own). */
    Map<String, String> settings() {
        return Map.of();
    }

    @BeforeEach
    void startEngine() throws Exception {
        engine = EngineHarness.startWithOwnBilling(tmp.resolve("data"), settings());
    }

    @AfterEach
    void stop() {
        billing.close();
        engine.close();
    }

    void startBilling(AcknowledgmentCode answer) throws Exception {
        billing.start(engine.billingPort(), tmp.resolve("billing"), answer);
    }

    static void eventually(Runnable assertion) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).untilAsserted(assertion::run);
    }

    Row row(String controlId) {
        try {
            return engine.outbox().stream().filter(r -> r.controlId().equals(controlId)).findFirst().orElseThrow();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    List<Row> rows(String placer) {
        try {
            return engine.outboxFor(placer);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    List<Row> all() {
        try {
            return engine.outbox();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long received(String controlId) {
        return billing.receivedControlIds().stream().filter(controlId::equals).count();
    }

    /**
     * A positive signal, instead of a fixed sleep, that the delivery loop has run several retry periods: the DFT of
     * a probe order, answered AE 207 by billing, is retried until it has been tried three times — whatever would
     * wrongly be (re)sent had the same chances meanwhile. Then billing answers {@code restore} again.
     */
    private void severalRetryPeriods(String probe, AcknowledgmentCode restore) {
        billing.setAnswer(AcknowledgmentCode.AE, ErrorCode.APPLICATION_INTERNAL_ERROR);
        engine.orderAndFinalResult(probe);
        eventually(() -> assertThat(rows(probe)).singleElement()
                .satisfies(r -> assertThat(r.attempts()).as(r.toString()).isGreaterThanOrEqualTo(3)));
        billing.setAnswer(restore);
    }

    @Test
    void anOutageLosesNothingAndTheBacklogDrainsEveryDftExactlyOnce() throws Exception {
        // Billing is down (nothing listens on its port) while the LIS keeps sending.
        for (int i = 1; i <= 4; i++) {
            engine.orderAndFinalResult("PLA" + i);
        }
        eventually(() -> assertThat(all()).hasSize(4)
                .allSatisfy(r -> assertThat(r.attempts()).as(r.toString()).isGreaterThanOrEqualTo(3)));
        assertThat(all()).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo("PENDING");
            assertThat(r.lastError()).containsIgnoringCase("connect");
        });
        for (int i = 5; i <= 8; i++) {
            engine.orderAndFinalResult("PLA" + i);
        }
        eventually(() -> assertThat(all()).hasSize(8));
        int attemptsWhileDown = all().stream().mapToInt(Row::attempts).sum();

        startBilling(AcknowledgmentCode.AA);

        eventually(() -> assertThat(all()).extracting(Row::status).containsOnly("DELIVERED"));
        List<String> queued = all().stream().map(Row::controlId).toList();
        List<String> got = billing.receivedControlIds();
        Map<String, Long> perId = got.stream().collect(Collectors.groupingBy(Function.identity(),
                Collectors.counting()));
        // Every DFT arrived; nothing arrived that was not queued; duplicates are only same-MSH-10 redeliveries.
        assertThat(perId.keySet()).containsExactlyInAnyOrderElementsOf(queued);
        assertThat(got).hasSize(queued.size() + billing.redeliveryCount());
        System.out.printf("outage: drained %d DFTs (%d distinct MSH-10), %d redeliveries, %d failed attempts while"
                + " billing was down%n", got.size(), perId.size(), billing.redeliveryCount(), attemptsWhileDown);
    }

    @Test
    void billingsOwnTroubleErr207IsRetriedUntilBillingAnswersAa() throws Exception {
        startBilling(AcknowledgmentCode.AR); // ERR-3 207: application internal error
        engine.orderAndFinalResult("PLB1");
        eventually(() -> assertThat(rows("PLB1")).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("PENDING");
            assertThat(r.attempts()).isGreaterThanOrEqualTo(3);
            assertThat(r.lastError()).contains("AR 207");
        }));
        String dft = rows("PLB1").get(0).controlId();
        assertThat(received(dft)).isGreaterThanOrEqualTo(3);

        billing.setAnswer(AcknowledgmentCode.AA);

        eventually(() -> assertThat(row(dft).status()).isEqualTo("DELIVERED"));
        assertThat(row(dft).lastError()).isEqualTo("answered AA");
        long afterDelivery = received(dft);
        severalRetryPeriods("PRB1", AcknowledgmentCode.AA);
        assertThat(received(dft)).as("nothing is sent after AA").isEqualTo(afterDelivery);
        System.out.printf("AR 207: %s sent %d times (%d redeliveries by MSH-10), delivered on the first AA%n", dft,
                afterDelivery, billing.redeliveryCount());

        // Record locked (206) is retried the same way.
        billing.setAnswer(AcknowledgmentCode.AE, ErrorCode.APPLICATION_RECORD_LOCKED);
        engine.orderAndFinalResult("PLB2");
        eventually(() -> assertThat(rows("PLB2")).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("PENDING");
            assertThat(r.attempts()).isGreaterThanOrEqualTo(2);
            assertThat(r.lastError()).contains("AE 206");
        }));
        billing.setAnswer(AcknowledgmentCode.AA);
        eventually(() -> assertThat(rows("PLB2")).extracting(Row::status).containsExactly("DELIVERED"));
    }

    @Test
    void aRefusalParksTheDftHoldsBackItsOrderOnlyAndRetryReleasesIt() throws Exception {
        startBilling(AcknowledgmentCode.AR);
        billing.setAnswer(AcknowledgmentCode.AR, ErrorCode.TABLE_VALUE_NOT_FOUND);
        engine.orderAndFinalResult("PLC1");
        eventually(() -> assertThat(rows("PLC1")).extracting(Row::status).containsExactly("PARKED"));
        Row parked = rows("PLC1").get(0);
        assertThat(parked.lastError()).isEqualTo("AR 103: Table value not found");

        // Parked means parked: not retried, however long we wait.
        severalRetryPeriods("PRB2", AcknowledgmentCode.AR);
        assertThat(received(parked.controlId())).isEqualTo(1);
        assertThat(row(parked.controlId()).attempts()).isEqualTo(1);

        // Billing accepts again. Another order's DFT is delivered past the parked one...
        billing.setAnswer(AcknowledgmentCode.AA);
        engine.orderAndFinalResult("PLC2");
        eventually(() -> assertThat(rows("PLC2")).extracting(Row::status).containsExactly("DELIVERED"));

        // ...while later DFTs of the parked order (a correction: credit and re-charge) wait behind it.
        engine.lisSends(LabMessages.oru("PLC1", "C", "20261119080000"));
        eventually(() -> assertThat(rows("PLC1")).hasSize(3));
        severalRetryPeriods("PRB3", AcknowledgmentCode.AA);
        assertThat(rows("PLC1")).extracting(Row::status).containsExactly("PARKED", "PENDING", "PENDING");
        assertThat(rows("PLC1")).extracting(Row::attempts).containsExactly(1, 0, 0);
        List<String> later = rows("PLC1").subList(1, 3).stream().map(Row::controlId).toList();
        assertThat(billing.receivedControlIds()).doesNotContainAnyElementsOf(later);

        // outbox retry: the parked DFT goes first, then the ones it held back, in order.
        assertThat(analyst().retryDft("ann", parked.id(), "billing fixed the account").done()).isTrue();
        eventually(() -> assertThat(rows("PLC1")).extracting(Row::status).containsOnly("DELIVERED"));
        // In arrival order, this order's DFTs only (a probe order's retries may arrive in between): the refused first
        // attempt, then the parked DFT again, then the two it held back.
        List<String> mine = List.of(parked.controlId(), later.get(0), later.get(1));
        assertThat(billing.receivedControlIds().stream().filter(mine::contains).toList())
                .containsExactly(parked.controlId(), parked.controlId(), later.get(0), later.get(1));
        assertThat(analyst().retryDft("ann", parked.id(), "again").done()).as("no longer parked").isFalse();
        assertThat(auditTrail()).containsExactlyInAnyOrder(
                "ann DFT_RETRY outbox " + parked.id() + " billing fixed the account -> QUEUED",
                "ann DFT_RETRY outbox " + parked.id() + " again -> NOT_PARKED");
    }

    @Test
    void discardingAParkedDftReleasesTheLaterDftsOfItsOrderAndNeverSendsIt() throws Exception {
        startBilling(AcknowledgmentCode.AR);
        billing.setAnswer(AcknowledgmentCode.AE, ErrorCode.UNKNOWN_KEY_IDENTIFIER);
        engine.orderAndFinalResult("PLD1");
        eventually(() -> assertThat(rows("PLD1")).extracting(Row::status).containsExactly("PARKED"));
        Row parked = rows("PLD1").get(0);
        assertThat(parked.lastError()).isEqualTo("AE 204: Unknown key identifier");

        billing.setAnswer(AcknowledgmentCode.AA);
        engine.lisSends(LabMessages.oru("PLD1", "C", "20261119080000"));
        eventually(() -> assertThat(rows("PLD1")).hasSize(3));
        severalRetryPeriods("PRB4", AcknowledgmentCode.AA);
        assertThat(rows("PLD1")).extracting(Row::status).containsExactly("PARKED", "PENDING", "PENDING");

        assertThat(analyst().discardDft("ann", parked.id(), "charged by hand").done()).isTrue();

        eventually(() -> assertThat(rows("PLD1")).extracting(Row::status)
                .containsExactly("DISCARDED", "DELIVERED", "DELIVERED"));
        assertThat(row(parked.controlId()).lastError()).isEqualTo("discarded: charged by hand");
        severalRetryPeriods("PRB5", AcknowledgmentCode.AA);
        assertThat(received(parked.controlId())).as("sent once, before it was parked").isEqualTo(1);
        assertThat(analyst().discardDft("ann", parked.id(), "again").done()).isFalse();
        assertThat(auditTrail()).containsExactlyInAnyOrder(
                "ann DFT_DISCARD outbox " + parked.id() + " charged by hand -> DISCARDED",
                "ann DFT_DISCARD outbox " + parked.id() + " again -> NOT_PARKED");
    }

    /** The analyst's actions as the console and the `outbox` command take them. */
    private OperatorActions analyst() {
        return new OperatorActions(engine.engine().settings(), engine.engine().ledger());
    }

    private List<String> auditTrail() {
        return engine.engine().ledger().read((LedgerSession s) -> OpsQueries.auditTrail(s, 10)).stream()
                .map(a -> a.actor() + " " + a.action() + " " + a.target() + " " + a.reason() + " -> " + a.result())
                .toList();
    }

    @Test
    void anAckForAnotherControlIdIsNeverCountedAsDelivered() throws Exception {
        startBilling(AcknowledgmentCode.AA);
        billing.setAcknowledgedId(id -> "IEPDFT999999999999"); // a stale ACK for some other DFT
        engine.orderAndFinalResult("PLE1");
        eventually(() -> assertThat(rows("PLE1")).singleElement().satisfies(r -> {
            assertThat(r.attempts()).isGreaterThanOrEqualTo(3);
            assertThat(r.status()).isEqualTo("PENDING");
            assertThat(r.lastError()).isEqualTo("ACK for another message (MSA-2 mismatch)");
        }));
        String dft = rows("PLE1").get(0).controlId();
        assertThat(received(dft)).isGreaterThanOrEqualTo(3);

        billing.setAcknowledgedId(id -> id);
        eventually(() -> assertThat(row(dft).status()).isEqualTo("DELIVERED"));
        System.out.printf("MSA-2 mismatch: %s sent %d times before the ACK named it%n", dft, received(dft));
    }
}
