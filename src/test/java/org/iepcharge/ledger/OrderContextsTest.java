package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.HoldReason;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;

/**
 * Order contexts ({@link OrderContexts}): found by placer, then filler number; replaced on update; found with the
 * state of one of their tests.
 */
class OrderContextsTest extends LedgerTestSupport {

    @OnBothDatabases
    void orderContextIsFoundByPlacerFirstThenByFiller(TestDatabase.Backend backend) {
        open(backend);
        long m1 = message("ORM1");
        long m2 = message("ORM2");
        OrderContext placerOnly = context("PL1", null, "PAT-A", "");
        OrderContext other = context("PL2", "FL9", "PAT-B", "");
        ledger.write((LedgerSession s) -> {
            s.orders().save(placerOnly, m1, T0);
            s.orders().save(other, m2, T0);
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
        assertThat(ledger.read((LedgerSession s) -> s.orders().hasContext(placerOnly.key().primaryKey()))).isTrue();
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
            s.orders().save(first, m1, T0);
            s.orders().save(second, m2, T0);
            s.orders().save(third, m3, T0);
            return null;
        });
        OrderKey byFiller = new OrderKey(null, new EntityId("FL1", "LAB"));
        OrderKey byPlacer = new OrderKey(new EntityId("PL2", "LIS"), new EntityId("FL1", "LAB"));
        OrderKey byBoth = new OrderKey(new EntityId("PL3", "LIS"), new EntityId("FL3", "LAB"));
        OrderKey unknown = new OrderKey(new EntityId("PL9", "LIS"), null);
        for (int round = 0; round < 2; round++) {
            for (OrderKey key : List.of(byFiller, byPlacer, byBoth, unknown, byFiller)) {
                Optional<String> found = ledger.write((LedgerSession s) -> s.orders().find(key, "86320")
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
            s.orders().save(first, m1, T0);
            s.tests().setCancelState(orderKey, "86320", CancelState.REQUESTED);
            assertThat(s.tests().markFinalSeen(orderKey, "86320")).as("first final").isTrue();
            assertThat(s.tests().markFinalSeen(orderKey, "86320")).as("already seen").isFalse();
            return null;
        });
        ledger.write((LedgerSession s) -> {
            s.orders().save(update, m2, T0.plusSeconds(60));
            return null;
        });

        assertThat(find(new OrderKey(null, new EntityId("FL1", "LAB")))).contains(update);
        assertThat(find(new OrderKey(new EntityId("PL1", "LIS"), null))).contains(update);
        assertThat(ledger.read((LedgerSession s) -> s.tests().cancelState(orderKey, "86320"))).isEqualTo(CancelState.REQUESTED);
        assertThat(ledger.read((LedgerSession s) -> s.tests().finalSeen(orderKey, "86320"))).isTrue();
        assertThat(db.count("SELECT COUNT(*) FROM order_context")).isEqualTo(1);
        assertThat(db.count("SELECT source_message_id FROM order_context")).isEqualTo(m2);

        assertThat(ledger.read((LedgerSession s) -> s.tests().cancelState("P:unknown^LIS", "86320")))
                .isEqualTo(CancelState.NONE);
    }

    @OnBothDatabases
    void anOrderFoundWithItsTestStateAnswersAsSeparateReadsWould(TestDatabase.Backend backend) throws Exception {
        open(backend);
        long m1 = message("ORM1");
        OrderContext placed = context("PL1", "FL1", "PAT-A", "");
        String orderKey = placed.key().primaryKey();
        ledger.write((LedgerSession s) -> {
            s.orders().save(placed, m1, T0);
            s.tests().setCancelState(orderKey, "86320", CancelState.REQUESTED);
            s.tests().markFinalSeen(orderKey, "86334");
            return null;
        });
        // An order known only by its filler number, with the order-wide state V4 carried over (cpt '').
        OrderContext old = context(null, "FL9", "PAT-B", "");
        ledger.write((LedgerSession s) -> {
            s.orders().save(old, m1, T0);
            return null;
        });
        try (java.sql.Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO order_test (order_key, cpt, final_seen, cancel_state)"
                    + " VALUES ('" + old.key().primaryKey() + "', '', TRUE, 'CANCELLED')");
        }

        ledger.write((LedgerSession s) -> {
            assertThat(s.orders().find(new OrderKey(new EntityId("PL1", "LIS"), null), "86320"))
                    .map(StoredOrder::orderKey).contains(orderKey);
            assertThat(s.tests().cancelState(orderKey, "86320")).isEqualTo(CancelState.REQUESTED);
            assertThat(s.tests().finalSeen(orderKey, "86320")).isFalse();
            assertThat(s.tests().markFinalSeen(orderKey, "86320")).as("first final of 86320").isTrue();
            assertThat(s.tests().markFinalSeen(orderKey, "86320")).as("second final of 86320").isFalse();

            assertThat(s.orders().find(new OrderKey(null, new EntityId("FL1", "LAB")), "86334")).isPresent();
            assertThat(s.tests().markFinalSeen(orderKey, "86334")).as("86334 resulted before").isFalse();

            assertThat(s.orders().find(new OrderKey(null, new EntityId("FL9", "LAB")), "86320"))
                    .map(StoredOrder::orderKey).contains(old.key().primaryKey());
            assertThat(s.tests().cancelState(old.key().primaryKey(), "86320")).isEqualTo(CancelState.CANCELLED);
            assertThat(s.tests().markFinalSeen(old.key().primaryKey(), "86320")).as("carried over: seen").isFalse();
            s.tests().setCancelState(old.key().primaryKey(), "86320", CancelState.NONE);
            return null;
        });
        // What the transaction wrote, read back by fresh sessions.
        assertThat(ledger.read((LedgerSession s) -> s.tests().finalSeen(orderKey, "86320"))).isTrue();
        assertThat(ledger.read((LedgerSession s) -> s.tests().cancelState(orderKey, "86320"))).isEqualTo(CancelState.REQUESTED);
        assertThat(ledger.read((LedgerSession s) -> s.tests().cancelState(old.key().primaryKey(), "86320")))
                .isEqualTo(CancelState.NONE);
        assertThat(ledger.read((LedgerSession s) -> s.tests().finalSeen(old.key().primaryKey(), "86320"))).isTrue();
        assertThat(ledger.read((LedgerSession s) -> s.tests().cancelState(old.key().primaryKey(), "86334")))
                .as("other tests keep the carried-over state").isEqualTo(CancelState.CANCELLED);
    }

    /**
     * A message's history read with its first order (the PostgreSQL writer sends both in one round trip): the order's
     * look-up that follows gets the same answer, on PostgreSQL without a statement of its own; a write in between, or
     * a look-up of other numbers or another CPT, reads the table again, so no answer older than a write is given.
     */
    @OnBothDatabases
    void anOrderReadWithTheHistoryAnswersTheNextLookUpUntilAWrite(TestDatabase.Backend backend) {
        open(backend);
        long m1 = message("ORM1");
        OrderContext stored = context("PL1", "FL1", "PAT-A", "");
        ledger.write((LedgerSession s) -> {
            s.orders().save(stored, m1, T0);
            s.tests().markFinalSeen(stored.key().primaryKey(), "86320");
            return null;
        });
        OrderKey key = new OrderKey(new EntityId("PL1", "LIS"), null);
        boolean aheadOnTheWriter = backend == TestDatabase.Backend.POSTGRESQL;
        StatementCounts counts = ledger.writerStatements();

        // The look-up right after the history: the same order and test state, no statement on PostgreSQL.
        ledger.write((LedgerSession s) -> {
            s.inbound().history("LIS^LAB", "ORU1", "h-ORU1", key, "86320");
            long before = counts.executedCount();
            Optional<StoredOrder> found = s.orders().find(key, "86320");
            assertThat(found.map(StoredOrder::context)).contains(stored);
            assertThat(s.tests().finalSeen(stored.key().primaryKey(), "86320")).isTrue();
            assertThat(counts.executedCount() - before).isEqualTo(aheadOnTheWriter ? 0 : 1);
            return null;
        });

        // A write between the history and the look-up: the look-up reads the row as written (a number learned: the
        // stored context with its new numbers, as capture writes it).
        OrderContext numbered = context("PL1", "FL7", "PAT-A", "");
        OrderContext rewritten = new OrderContext(numbered.key(), stored.patient(), stored.visit(), stored.insurance(),
                stored.diagnoses(), stored.abnStatus(), stored.orderingProvider(), stored.sourceControlId());
        ledger.write((LedgerSession s) -> {
            s.inbound().history("LIS^LAB", "ORU2", "h-ORU2", key, "86320");
            s.orders().updateIdentity(stored.key().primaryKey(), rewritten, T0);
            long before = counts.executedCount();
            assertThat(s.orders().find(key, "86320").map(StoredOrder::context)).contains(rewritten);
            assertThat(counts.executedCount() - before).isEqualTo(1);
            return null;
        });

        // Other numbers, or another test of the order, are looked up as asked.
        ledger.write((LedgerSession s) -> {
            s.inbound().history("LIS^LAB", "ORU3", "h-ORU3", key, "86320");
            assertThat(s.orders().find(new OrderKey(null, new EntityId("FL7", "LAB")), "86320")
                    .map(StoredOrder::context)).contains(rewritten);
            s.inbound().history("LIS^LAB", "ORU4", "h-ORU4", key, "86320");
            long before = counts.executedCount();
            assertThat(s.orders().find(key, "86334").map(StoredOrder::context)).contains(rewritten);
            assertThat(s.tests().finalSeen(stored.key().primaryKey(), "86334")).isFalse();
            assertThat(counts.executedCount() - before).isEqualTo(1);
            return null;
        });

        // A miss is an answer too.
        OrderKey unknown = new OrderKey(new EntityId("PL9", "LIS"), null);
        ledger.write((LedgerSession s) -> {
            s.inbound().history("LIS^LAB", "ORU5", "h-ORU5", unknown, "86320");
            long before = counts.executedCount();
            assertThat(s.orders().find(unknown, "86320")).isEmpty();
            assertThat(counts.executedCount() - before).isEqualTo(aheadOnTheWriter ? 0 : 1);
            return null;
        });
    }

    /**
     * The look-up tells the session whether the order has lines and open holds, stored order or not (a hold can wait
     * for an order's context): an order without them reads as such without a query of its own, and a line or hold
     * written in the same transaction is then seen (on PostgreSQL the writes are held back and sent with the next
     * statement, so the look-up's answers must not outlive them).
     */
    @OnBothDatabases
    void linesAndHoldsOfAnOrderAreAnsweredWithItsLookUpAndSeeTheTransactionsWrites(TestDatabase.Backend backend) {
        open(backend);
        long m = message("ORM1");
        OrderContext placed = context("PL1", "FL1", "PAT-A", "");
        String orderKey = placed.key().primaryKey();
        OrderKey unstored = new OrderKey(new EntityId("PL7", "LIS"), null);
        ledger.write((LedgerSession s) -> {
            s.orders().save(placed, m, T0);
            s.holds().add(unstored.primaryKey(), "86320", LineKind.T, "PAT-B", HoldReason.NO_DIAGNOSIS,
                    "no diagnosis", m, "trigger", T0);
            return null;
        });
        ledger.write((LedgerSession s) -> {
            // Not stored, but held under the key its order would be filed under.
            assertThat(s.orders().find(unstored, "86320")).isEmpty();
            assertThat(s.holds().openForOrder(unstored.primaryKey())).extracting(HoldRecord::cpt).containsExactly("86320");
            assertThat(s.lines().forOrder(unstored.primaryKey())).isEmpty();

            assertThat(s.orders().find(placed.key(), "86320")).isPresent();
            assertThat(s.lines().forOrder(orderKey)).isEmpty();
            assertThat(s.holds().openForOrder(orderKey)).isEmpty();
            s.lines().insert(orderKey, placed.key(), 1, line("C1", LineKind.T, "86320", "20240501083000"), true,
                    "PAT-A", "r1", m, "D1", T0);
            s.holds().add(orderKey, "86334", LineKind.T, "PAT-A", HoldReason.NO_DIAGNOSIS, "no diagnosis", m,
                    "trigger", T0);
            assertThat(s.lines().forOrder(orderKey)).extracting(l -> l.line().transactionId()).containsExactly("C1");
            assertThat(s.holds().openForOrder(orderKey)).extracting(HoldRecord::cpt).containsExactly("86334");
            // Looked up again after the writes: the order now has both.
            assertThat(s.orders().find(placed.key(), "86320")).isPresent();
            assertThat(s.lines().forOrder(orderKey)).hasSize(1);
            assertThat(s.holds().openForOrder(orderKey)).hasSize(1);
            return null;
        });
    }

    /** A number learned later is found, with the context as stored, though only the number columns were written. */
    @OnBothDatabases
    void aLearnedNumberFindsTheContextAsStored(TestDatabase.Backend backend) {
        open(backend);
        long m = message("ORM1");
        OrderContext placed = context("PL1", null, "PAT-A", "Y");
        String orderKey = placed.key().primaryKey();
        ledger.write((LedgerSession s) -> {
            s.orders().save(placed, m, T0);
            return null;
        });
        String json = db.string("SELECT context_json FROM order_context");
        OrderKey learned = placed.key().mergedWith(new OrderKey(null, new EntityId("FL1", "LAB")));
        OrderContext withFiller = new OrderContext(learned, placed.patient(), placed.visit(), placed.insurance(),
                placed.diagnoses(), placed.abnStatus(), placed.orderingProvider(), placed.sourceControlId());
        ledger.write((LedgerSession s) -> {
            s.orders().updateIdentity(orderKey, withFiller, T0.plusSeconds(5));
            return null;
        });
        assertThat(find(new OrderKey(null, new EntityId("FL1", "LAB")))).contains(withFiller);
        assertThat(find(placed.key())).contains(withFiller);
        assertThat(ledger.write((LedgerSession s) -> s.orders().find(learned, "86320").map(StoredOrder::orderKey)))
                .contains(orderKey);
        assertThat(db.string("SELECT context_json FROM order_context")).isEqualTo(json);
    }

    /**
     * PostgreSQL: the order look-up probes order_test's primary key with both its columns even when planned on a new,
     * empty ledger whose tables are not analysed yet (OrderContexts.ORDER_WITH_TEST_PG), as the writers plan it
     * (generic plans, kept while the tables grow: BENCHMARKS.md "PostgreSQL: the writers' plans"). The same look-up
     * as plain joins, planned on the same empty tables, filters order_test on the order key after scanning it.
     */
    @OnPostgres
    void anOrderIsLookedUpByItsTestsPrimaryKeyOnANewLedger(TestDatabase.Backend backend) {
        open(backend);
        String lateral = ledger.write(plan(OrderContexts.ORDER_WITH_TEST_PG));
        assertThat(lateral.split("order_test_pkey on order_test", -1)).hasSize(3);
        assertThat(lateral).doesNotContain("Seq Scan").doesNotContain("Bitmap").doesNotContain("Join Filter")
                .contains("Index Cond: (((order_key)::text = (COALESCE(c.order_key");
        assertThat(ledger.read(plan(OrderContexts.ORDER_WITH_TEST))).contains("Join Filter: ((t.order_key)");
    }

    private static LedgerWork<String> plan(String sql) {
        return s -> {
            try (java.sql.PreparedStatement ps = s.connection().prepareStatement("EXPLAIN " + sql)) {
                OrderContexts.bindOrderWithTest(ps, 0, new OrderKey(new EntityId("PL1", "LIS"), null), "86320");
                StringBuilder b = new StringBuilder();
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        b.append(rs.getString(1)).append('\n');
                    }
                }
                return b.toString();
            }
        };
    }

    private Optional<OrderContext> find(OrderKey key) {
        return ledger.read((LedgerSession s) -> s.orders().findContext(key));
    }
}
