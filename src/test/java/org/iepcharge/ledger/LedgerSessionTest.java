package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.HoldReason;

/** Order context, charge lines and holds, as the charge-capture transaction uses them. */
class LedgerSessionTest extends LedgerTestSupport {

    private static final Instant T0 = Instant.parse("2024-05-02T08:00:00Z");

    // ---- order context ------------------------------------------------------------------------------------------

    @OnBothDatabases
    void orderContextIsFoundByPlacerFirstThenByFiller(TestDatabase.Backend backend) {
        open(backend);
        long m1 = message("ORM1");
        long m2 = message("ORM2");
        OrderContext placerOnly = context("PL1", null, "PAT-A", "");
        OrderContext other = context("PL2", "FL9", "PAT-B", "");
        ledger.write((LedgerSession s) -> {
            s.saveOrderContext(placerOnly, m1, T0);
            s.saveOrderContext(other, m2, T0);
            return null;
        });

        // Placer match wins although the filler number belongs to the other order.
        assertThat(find(new OrderKey(new EntityId("PL1", "LIS"), new EntityId("FL9", "LAB")))).contains(placerOnly);
        // Unknown placer: falls back to the filler number.
        assertThat(find(new OrderKey(new EntityId("NOPE", "LIS"), new EntityId("FL9", "LAB")))).contains(other);
        // No placer at all (an ORU that only carries the filler number).
        assertThat(find(new OrderKey(null, new EntityId("FL9", "LAB")))).contains(other);
        // The namespace is part of the identity.
        assertThat(find(new OrderKey(new EntityId("PL1", "OTHER"), null))).isEmpty();
        assertThat(find(new OrderKey(null, new EntityId("FL1", "LAB")))).isEmpty();
        assertThat(ledger.read((LedgerSession s) -> s.hasContext(placerOnly.key().primaryKey()))).isTrue();
    }

    /**
     * Orders sharing a number: the first filed is found, a placer match still wins, and the writer's cached statement
     * (reused across transactions, its parameters never cleared) binds an absent number as NULL each time.
     */
    @OnBothDatabases
    void ofOrdersSharingANumberTheFirstFiledIsFound(TestDatabase.Backend backend) {
        open(backend);
        long m1 = message("ORM1");
        long m2 = message("ORM2");
        long m3 = message("ORM3");
        OrderContext first = context("PL1", "FL1", "PAT-A", "");
        OrderContext second = context("PL2", "FL1", "PAT-A", "");
        OrderContext third = context("PL3", "FL3", "PAT-A", "");
        ledger.write((LedgerSession s) -> {
            s.saveOrderContext(first, m1, T0);
            s.saveOrderContext(second, m2, T0);
            s.saveOrderContext(third, m3, T0);
            return null;
        });
        OrderKey byFiller = new OrderKey(null, new EntityId("FL1", "LAB"));
        OrderKey byPlacer = new OrderKey(new EntityId("PL2", "LIS"), new EntityId("FL1", "LAB"));
        OrderKey byBoth = new OrderKey(new EntityId("PL3", "LIS"), new EntityId("FL3", "LAB"));
        OrderKey unknown = new OrderKey(new EntityId("PL9", "LIS"), null);
        for (int round = 0; round < 2; round++) {
            for (OrderKey key : List.of(byFiller, byPlacer, byBoth, unknown, byFiller)) {
                Optional<String> found = ledger.write((LedgerSession s) -> s.findOrder(key, "86320")
                        .map(StoredOrder::orderKey));
                Optional<String> expected = key == unknown ? Optional.empty() : Optional.of((key == byFiller ? first
                        : key == byPlacer ? second : third).key().primaryKey());
                assertThat(found).as(key.toString()).isEqualTo(expected);
            }
        }
    }

    @OnBothDatabases
    void orderContextIsReplacedOnUpdateAndKeepsItsCancelState(TestDatabase.Backend backend) {
        open(backend);
        long m1 = message("ORM1");
        long m2 = message("ORM2");
        OrderContext first = context("PL1", null, "PAT-A", "");
        OrderContext update = context("PL1", "FL1", "PAT-A", "Y");
        String orderKey = first.key().primaryKey();
        assertThat(update.key().primaryKey()).isEqualTo(orderKey);

        ledger.write((LedgerSession s) -> {
            s.saveOrderContext(first, m1, T0);
            s.setCancelState(orderKey, "86320", CancelState.REQUESTED);
            assertThat(s.markFinalSeen(orderKey, "86320")).as("first final").isTrue();
            assertThat(s.markFinalSeen(orderKey, "86320")).as("already seen").isFalse();
            return null;
        });
        ledger.write((LedgerSession s) -> {
            s.saveOrderContext(update, m2, T0.plusSeconds(60));
            return null;
        });

        assertThat(find(new OrderKey(null, new EntityId("FL1", "LAB")))).contains(update);
        assertThat(find(new OrderKey(new EntityId("PL1", "LIS"), null))).contains(update);
        assertThat(ledger.read((LedgerSession s) -> s.cancelState(orderKey, "86320"))).isEqualTo(CancelState.REQUESTED);
        assertThat(ledger.read((LedgerSession s) -> s.finalSeen(orderKey, "86320"))).isTrue();
        assertThat(db.count("SELECT COUNT(*) FROM order_context")).isEqualTo(1);
        assertThat(db.count("SELECT source_message_id FROM order_context")).isEqualTo(m2);

        assertThat(ledger.read((LedgerSession s) -> s.cancelState("P:unknown^LIS", "86320")))
                .isEqualTo(CancelState.NONE);
    }

    @OnBothDatabases
    void finalSeenAndCancelStateArePerOrderAndCpt(TestDatabase.Backend backend) {
        open(backend);
        String orderKey = "P:PL1^LIS";
        ledger.write((LedgerSession s) -> {
            assertThat(s.markFinalSeen(orderKey, "86320")).as("first final of 86320").isTrue();
            // Another charge-master test of the same order has its own first final (docs/decision-contract.md §7).
            assertThat(s.markFinalSeen(orderKey, "86334")).as("first final of 86334").isTrue();
            assertThat(s.markFinalSeen(orderKey, "86334")).as("second final of 86334").isFalse();
            s.setCancelState(orderKey, "86334", CancelState.CANCELLED);
            return null;
        });
        assertThat(ledger.read((LedgerSession s) -> s.cancelState(orderKey, "86334"))).isEqualTo(CancelState.CANCELLED);
        assertThat(ledger.read((LedgerSession s) -> s.cancelState(orderKey, "86320"))).isEqualTo(CancelState.NONE);
        assertThat(ledger.read((LedgerSession s) -> s.finalSeen(orderKey, "86325"))).isFalse();
        assertThat(db.count("SELECT COUNT(*) FROM order_test WHERE order_key = 'P:PL1^LIS'")).isEqualTo(2);
    }

    @OnBothDatabases
    void orderWideStateFromBeforeV4AppliesToEveryCptUntilItsOwnRowExists(TestDatabase.Backend backend)
            throws Exception {
        open(backend);
        // What migration V4 carries over for an order cancelled before any line: the order-wide row (cpt '').
        try (java.sql.Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO order_test (order_key, cpt, final_seen, cancel_state)"
                    + " VALUES ('P:OLD^LIS', '', FALSE, 'CANCELLED')");
        }
        assertThat(ledger.read((LedgerSession s) -> s.cancelState("P:OLD^LIS", "86320")))
                .isEqualTo(CancelState.CANCELLED);
        ledger.write((LedgerSession s) -> {
            assertThat(s.markFinalSeen("P:OLD^LIS", "86320")).isTrue();
            return null;
        });
        assertThat(ledger.read((LedgerSession s) -> s.cancelState("P:OLD^LIS", "86320")))
                .as("the new (order, CPT) row starts from the carried-over state").isEqualTo(CancelState.CANCELLED);
        assertThat(ledger.read((LedgerSession s) -> s.finalSeen("P:OLD^LIS", "86320"))).isTrue();
        assertThat(ledger.read((LedgerSession s) -> s.finalSeen("P:OLD^LIS", "86334"))).isFalse();
    }

    @OnBothDatabases
    void anOrderFoundWithItsTestStateAnswersAsSeparateReadsWould(TestDatabase.Backend backend) throws Exception {
        open(backend);
        long m1 = message("ORM1");
        OrderContext placed = context("PL1", "FL1", "PAT-A", "");
        String orderKey = placed.key().primaryKey();
        ledger.write((LedgerSession s) -> {
            s.saveOrderContext(placed, m1, T0);
            s.setCancelState(orderKey, "86320", CancelState.REQUESTED);
            s.markFinalSeen(orderKey, "86334");
            return null;
        });
        // An order known only by its filler number, with the order-wide state V4 carried over (cpt '').
        OrderContext old = context(null, "FL9", "PAT-B", "");
        ledger.write((LedgerSession s) -> {
            s.saveOrderContext(old, m1, T0);
            return null;
        });
        try (java.sql.Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO order_test (order_key, cpt, final_seen, cancel_state)"
                    + " VALUES ('" + old.key().primaryKey() + "', '', TRUE, 'CANCELLED')");
        }

        ledger.write((LedgerSession s) -> {
            assertThat(s.findOrder(new OrderKey(new EntityId("PL1", "LIS"), null), "86320"))
                    .map(StoredOrder::orderKey).contains(orderKey);
            assertThat(s.cancelState(orderKey, "86320")).isEqualTo(CancelState.REQUESTED);
            assertThat(s.finalSeen(orderKey, "86320")).isFalse();
            assertThat(s.markFinalSeen(orderKey, "86320")).as("first final of 86320").isTrue();
            assertThat(s.markFinalSeen(orderKey, "86320")).as("second final of 86320").isFalse();

            assertThat(s.findOrder(new OrderKey(null, new EntityId("FL1", "LAB")), "86334")).isPresent();
            assertThat(s.markFinalSeen(orderKey, "86334")).as("86334 resulted before").isFalse();

            assertThat(s.findOrder(new OrderKey(null, new EntityId("FL9", "LAB")), "86320"))
                    .map(StoredOrder::orderKey).contains(old.key().primaryKey());
            assertThat(s.cancelState(old.key().primaryKey(), "86320")).isEqualTo(CancelState.CANCELLED);
            assertThat(s.markFinalSeen(old.key().primaryKey(), "86320")).as("carried over: seen").isFalse();
            s.setCancelState(old.key().primaryKey(), "86320", CancelState.NONE);
            return null;
        });
        // What the transaction wrote, read back by fresh sessions.
        assertThat(ledger.read((LedgerSession s) -> s.finalSeen(orderKey, "86320"))).isTrue();
        assertThat(ledger.read((LedgerSession s) -> s.cancelState(orderKey, "86320"))).isEqualTo(CancelState.REQUESTED);
        assertThat(ledger.read((LedgerSession s) -> s.cancelState(old.key().primaryKey(), "86320")))
                .isEqualTo(CancelState.NONE);
        assertThat(ledger.read((LedgerSession s) -> s.finalSeen(old.key().primaryKey(), "86320"))).isTrue();
        assertThat(ledger.read((LedgerSession s) -> s.cancelState(old.key().primaryKey(), "86334")))
                .as("other tests keep the carried-over state").isEqualTo(CancelState.CANCELLED);
    }

    @OnBothDatabases
    void oneDrawGivesADftItsControlIdAndDistinctTransactionIds(TestDatabase.Backend backend) {
        open(backend);
        DftIds first = ledger.write((LedgerSession s) -> s.nextDftIds(3));
        DftIds second = ledger.write((LedgerSession s) -> s.nextDftIds(1));
        String single = ledger.write((LedgerSession s) -> s.nextTransactionId());
        String dft = ledger.write((LedgerSession s) -> s.nextDftControlId());
        assertThat(first.transactionIds()).hasSize(3);
        assertThat(second.transactionIds()).hasSize(1);
        List<String> all = new ArrayList<>(first.transactionIds());
        all.addAll(second.transactionIds());
        all.add(single);
        // FT1-2 as drawn one by one: C + 11 digits, each new, in the order drawn.
        assertThat(all).allSatisfy(id -> assertThat(id).matches("C\\d{11}")).doesNotHaveDuplicates().isSorted();
        assertThat(List.of(first.controlId(), second.controlId(), dft))
                .allSatisfy(id -> assertThat(id).matches("IEPDFT\\d{12}")).doesNotHaveDuplicates().isSorted();
    }

    @OnBothDatabases
    void aLineKeepsItsOrdersPlacerAndFillerNumbersWhole(TestDatabase.Backend backend) {
        open(backend);
        long m = message("ORU1");
        OrderKey both = new OrderKey(new EntityId("PL1", "LIS"), new EntityId("FL1", "LAB"));
        ledger.write((LedgerSession s) -> {
            s.insertLine(both.primaryKey(), both, 1, line("C1", LineKind.T, "86320", "20240501083000"), true,
                    "PAT-A", "r1", m, "D1", T0);
            s.insertLine("F:FL2^", new OrderKey(null, new EntityId("FL2", "")), 1,
                    line("C2", LineKind.T, "86320", "20240501090000"), true, "PAT-A", "r1", m, "D2", T0);
            return null;
        });
        List<StoredLine> posted = ledger.read((LedgerSession s) -> s.postedLinesForPatient("PAT-A", "86320",
                "20240501"));
        // The round trip through the ledger gives back both numbers with their namespaces (issue 12).
        assertThat(posted).extracting(StoredLine::order).containsExactly(both,
                new OrderKey(null, new EntityId("FL2", "")));
        assertThat(posted.get(0).order().sameOrderAs(new OrderKey(null, new EntityId("FL1", "LAB")))).isTrue();
        assertThat(posted.get(0).order().sameOrderAs(new OrderKey(null, new EntityId("FL1", "OTHER")))).isFalse();
    }

    /** The order numbers of a test order key: the key's text as the placer number. */
    private static OrderKey ids(String orderKey) {
        return new OrderKey(new EntityId(orderKey, "LIS"), null);
    }

    private Optional<OrderContext> find(OrderKey key) {
        return ledger.read((LedgerSession s) -> s.findOrderContext(key));
    }

    // ---- charge lines -------------------------------------------------------------------------------------------

    @OnBothDatabases
    void transactionIdsAreAtMostTwelveCharactersAndDistinctAcrossNodes(TestDatabase.Backend backend)
            throws Exception {
        open(backend);
        JdbcLedger node2 = otherNode();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.addAll(ledger.write((LedgerSession s) -> draw(s, 20)));
            ids.addAll(node2.write((LedgerSession s) -> draw(s, 20)));
        }
        assertThat(ids).hasSize(200).allSatisfy(id -> assertThat(id).hasSizeLessThanOrEqualTo(12).matches("C\\d{11}"));
        assertThat(new HashSet<>(ids)).hasSize(200);

        String dft = ledger.write(LedgerSession::nextDftControlId);
        String dft2 = node2.write(LedgerSession::nextDftControlId);
        assertThat(List.of(dft, dft2)).allSatisfy(c -> assertThat(c).hasSizeLessThanOrEqualTo(20)).doesNotHaveDuplicates();
    }

    private static List<String> draw(LedgerSession s, int n) throws SQLException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(s.nextTransactionId());
        }
        return out;
    }

    @OnBothDatabases
    void lineIdentityOrderCptKindGenerationIsUnique(TestDatabase.Backend backend) {
        open(backend);
        long m = message("ORU1");
        ChargeLine t1 = line("C00000000001", LineKind.T, "86320", "20240501083000");
        ledger.write((LedgerSession s) -> {
            s.insertLine("P:PL1^LIS", ids("P:PL1^LIS"), 1, t1, true, "PAT-A^HOSP", "r1", m, "IEPDFT000000000001", T0);
            return null;
        });

        // The same line again (another node posting it too), with its own transaction ID: rejected.
        assertThatThrownBy(() -> ledger.write((LedgerSession s) -> {
            s.insertLine("P:PL1^LIS", ids("P:PL1^LIS"), 1, t1.withTransactionId("C00000000002"), true, "PAT-A^HOSP", "r1", m,
                    "IEPDFT000000000002", T0);
            return null;
        })).satisfies(e -> assertThat(sqlCause(e)).get().extracting(SQLException::getSQLState).isEqualTo("23505"));
        // A transaction ID is never reused, even on another order.
        assertThatThrownBy(() -> ledger.write((LedgerSession s) -> {
            s.insertLine("P:PL2^LIS", ids("P:PL2^LIS"), 1, t1, true, "PAT-A^HOSP", "r1", m, "IEPDFT000000000003", T0);
            return null;
        })).satisfies(e -> assertThat(sqlCause(e)).get().extracting(SQLException::getSQLState).isEqualTo("23505"));
        assertThat(db.count("SELECT COUNT(*) FROM charge_line")).isEqualTo(1);

        // Another generation, another kind, another CPT: distinct lines.
        ledger.write((LedgerSession s) -> {
            s.insertLine("P:PL1^LIS", ids("P:PL1^LIS"), 2, t1.withTransactionId("C00000000004"), true, "PAT-A^HOSP", "r1", m, "D4", T0);
            s.insertLine("P:PL1^LIS", ids("P:PL1^LIS"), 1, line("C00000000005", LineKind.P, "86320", "20240501083000"), true,
                    "PAT-A^HOSP", "r1", m, "D5", T0);
            s.insertLine("P:PL1^LIS", ids("P:PL1^LIS"), 1, line("C00000000006", LineKind.T, "86334", "20240501083000"), true,
                    "PAT-A^HOSP", "r1", m, "D6", T0);
            return null;
        });
        List<StoredLine> lines = ledger.read((LedgerSession s) -> s.linesForOrder("P:PL1^LIS"));
        assertThat(lines).extracting(l -> l.line().transactionId())
                .containsExactly("C00000000001", "C00000000004", "C00000000005", "C00000000006");
        assertThat(lines.get(0).line()).isEqualTo(t1);
        assertThat(lines.get(0)).extracting(StoredLine::generation, StoredLine::status, StoredLine::production,
                StoredLine::patientKey, StoredLine::rulesVersion, StoredLine::postedDft)
                .containsExactly(1, LineStatus.POSTED, true, "PAT-A^HOSP", "r1", "IEPDFT000000000001");
        assertThat(lines.get(1).generation()).isEqualTo(2);
        assertThat(lines.get(2).line()).isEqualTo(line("C00000000005", LineKind.P, "86320", "20240501083000"));
    }

    @OnBothDatabases
    void postedLinesForPatientCountsOnlyPostedLinesOfThatPatientCptAndDate(TestDatabase.Backend backend) {
        open(backend);
        long m = message("ORU1");
        Map<String, Long> ids = ledger.write((LedgerSession s) -> {
            s.insertLine("O1", ids("O1"), 1, line("C1", LineKind.T, "86320", "20240501083000"), true, "PAT-A", "r1", m, "D1", T0);
            s.insertLine("O2", ids("O2"), 1, line("C2", LineKind.T, "86320", "20240501170000"), true, "PAT-A", "r1", m, "D2", T0);
            s.insertLine("O3", ids("O3"), 1, line("C3", LineKind.T, "86320", "20240501090000"), true, "PAT-A", "r1", m, "D3", T0);
            s.insertLine("O4", ids("O4"), 1, line("C4", LineKind.T, "86320", "20240502083000"), true, "PAT-A", "r1", m, "D4", T0);
            s.insertLine("O5", ids("O5"), 1, line("C5", LineKind.T, "86334", "20240501083000"), true, "PAT-A", "r1", m, "D5", T0);
            s.insertLine("O6", ids("O6"), 1, line("C6", LineKind.T, "86320", "20240501083000"), true, "PAT-B", "r1", m, "D6", T0);
            return Map.of("O2", s.linesForOrder("O2").get(0).id(), "O3", s.linesForOrder("O3").get(0).id());
        });
        assertThat(ledger.write((LedgerSession s) -> s.closeLine(ids.get("O2"), LineStatus.CREDITED, "CR2", T0))).isTrue();
        assertThat(ledger.write((LedgerSession s) -> s.closeLine(ids.get("O3"), LineStatus.WITHDRAWN, "CR3", T0))).isTrue();
        // A line is closed once.
        assertThat(ledger.write((LedgerSession s) -> s.closeLine(ids.get("O2"), LineStatus.WITHDRAWN, "CR9", T0))).isFalse();

        List<StoredLine> posted = ledger.read((LedgerSession s) -> s.postedLinesForPatient("PAT-A", "86320",
                LedgerSession.dateOnly("20240501120000")));
        assertThat(posted).extracting(StoredLine::orderKey).containsExactly("O1");
        assertThat(ledger.read((LedgerSession s) -> s.linesForOrder("O2").get(0).status()))
                .isEqualTo(LineStatus.CREDITED);
        assertThat(db.string("SELECT credit_dft FROM charge_line WHERE order_key = 'O2'")).isEqualTo("CR2");
    }

    // ---- holds --------------------------------------------------------------------------------------------------

    record Trigger(String test, List<String> codes) {
    }

    @OnBothDatabases
    void holdIsOpenedAndClosedExactlyOnce(TestDatabase.Backend backend) {
        open(backend);
        long m = message("ORU1");
        Trigger trigger = new Trigger("IEP", List.of("86320", "86334"));
        long h1 = ledger.write((LedgerSession s) -> s.openHold("O1", "86320", LineKind.T, "PAT-A", HoldReason.NO_DIAGNOSIS, "no diagnosis", m, trigger, T0));
        long h2 = ledger.write((LedgerSession s) -> s.openHold("O1", "86320", LineKind.P, "PAT-A", HoldReason.NO_DIAGNOSIS, "no diagnosis", m, trigger, T0));
        long h3 = ledger.write((LedgerSession s) -> s.openHold("O2", "86320", LineKind.T, "PAT-B", HoldReason.NOT_SUPPORTED_WITHOUT_ABN, "abn", m, trigger, T0));

        assertThat(ledger.read((LedgerSession s) -> s.hold(h1))).get()
                .isEqualTo(new HoldRecord(h1, "O1", "86320", LineKind.T, "PAT-A", HoldReason.NO_DIAGNOSIS, "no diagnosis", HoldStatus.OPEN, m,
                        T0));
        assertThat(ledger.read((LedgerSession s) -> s.holdTrigger(h1, Trigger.class))).contains(trigger);
        assertThat(ledger.read((LedgerSession s) -> s.openHolds("O1"))).extracting(HoldRecord::id).containsExactly(h1, h2);

        assertThat(ledger.write((LedgerSession s) -> s.closeHold(h1, HoldStatus.RELEASED, "analyst released", T0))).isTrue();
        assertThat(ledger.write((LedgerSession s) -> s.closeHold(h1, HoldStatus.DISCARDED, "again", T0))).isFalse();
        assertThat(ledger.read((LedgerSession s) -> s.hold(h1))).get().extracting(HoldRecord::status).isEqualTo(HoldStatus.RELEASED);
        assertThat(db.string("SELECT closed_note FROM charge_hold WHERE id = ?", h1)).isEqualTo("analyst released");
        assertThat(ledger.read((LedgerSession s) -> s.openHolds("O1"))).extracting(HoldRecord::id).containsExactly(h2);
        assertThat(ledger.read(LedgerSession::allOpenHolds)).extracting(HoldRecord::id).containsExactly(h2, h3);
        assertThat(ledger.read((LedgerSession s) -> s.hold(999_999L))).isEmpty();
        assertThat(ledger.write((LedgerSession s) -> s.closeHold(999_999L, HoldStatus.RELEASED, "none", T0))).isFalse();
    }

}
