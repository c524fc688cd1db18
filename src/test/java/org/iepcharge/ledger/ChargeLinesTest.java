package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.OrderKey;

/** Charge lines ({@link ChargeLines}): their identity, their order numbers, posted and closed. */
class ChargeLinesTest extends LedgerTestSupport {

    @OnBothDatabases
    void aLineKeepsItsOrdersPlacerAndFillerNumbersWhole(TestDatabase.Backend backend) {
        open(backend);
        long m = message("ORU1");
        OrderKey both = new OrderKey(new EntityId("PL1", "LIS"), new EntityId("FL1", "LAB"));
        ledger.write((LedgerSession s) -> {
            s.lines().insert(both.primaryKey(), both, 1, line("C1", LineKind.T, "86320", "20240501083000"), true,
                    "PAT-A", "r1", m, "D1", T0);
            s.lines().insert("F:FL2^", new OrderKey(null, new EntityId("FL2", "")), 1,
                    line("C2", LineKind.T, "86320", "20240501090000"), true, "PAT-A", "r1", m, "D2", T0);
            return null;
        });
        List<StoredLine> posted = ledger.read((LedgerSession s) -> s.lines().postedForPatient("PAT-A", "86320",
                "20240501"));
        // The round trip through the ledger gives back both numbers with their namespaces (issue 12).
        assertThat(posted).extracting(StoredLine::order).containsExactly(both,
                new OrderKey(null, new EntityId("FL2", "")));
        assertThat(posted.get(0).order().sameOrderAs(new OrderKey(null, new EntityId("FL1", "LAB")))).isTrue();
        assertThat(posted.get(0).order().sameOrderAs(new OrderKey(null, new EntityId("FL1", "OTHER")))).isFalse();
    }

    @OnBothDatabases
    void lineIdentityOrderCptKindGenerationIsUnique(TestDatabase.Backend backend) {
        open(backend);
        long m = message("ORU1");
        ChargeLine t1 = line("C00000000001", LineKind.T, "86320", "20240501083000");
        ledger.write((LedgerSession s) -> {
            s.lines().insert("P:PL1^LIS", ids("P:PL1^LIS"), 1, t1, true, "PAT-A^HOSP", "r1", m, "IEPDFT000000000001", T0);
            return null;
        });

        // The same line again (another node posting it too), with its own transaction ID: rejected.
        assertThatThrownBy(() -> ledger.write((LedgerSession s) -> {
            s.lines().insert("P:PL1^LIS", ids("P:PL1^LIS"), 1, t1.withTransactionId("C00000000002"), true, "PAT-A^HOSP", "r1", m,
                    "IEPDFT000000000002", T0);
            return null;
        })).satisfies(e -> assertThat(sqlCause(e)).get().extracting(SQLException::getSQLState).isEqualTo("23505"));
        // A transaction ID is never reused, even on another order.
        assertThatThrownBy(() -> ledger.write((LedgerSession s) -> {
            s.lines().insert("P:PL2^LIS", ids("P:PL2^LIS"), 1, t1, true, "PAT-A^HOSP", "r1", m, "IEPDFT000000000003", T0);
            return null;
        })).satisfies(e -> assertThat(sqlCause(e)).get().extracting(SQLException::getSQLState).isEqualTo("23505"));
        assertThat(db.count("SELECT COUNT(*) FROM charge_line")).isEqualTo(1);

        // Another generation, another kind, another CPT: distinct lines.
        ledger.write((LedgerSession s) -> {
            s.lines().insert("P:PL1^LIS", ids("P:PL1^LIS"), 2, t1.withTransactionId("C00000000004"), true, "PAT-A^HOSP", "r1", m, "D4", T0);
            s.lines().insert("P:PL1^LIS", ids("P:PL1^LIS"), 1, line("C00000000005", LineKind.P, "86320", "20240501083000"), true,
                    "PAT-A^HOSP", "r1", m, "D5", T0);
            s.lines().insert("P:PL1^LIS", ids("P:PL1^LIS"), 1, line("C00000000006", LineKind.T, "86334", "20240501083000"), true,
                    "PAT-A^HOSP", "r1", m, "D6", T0);
            return null;
        });
        List<StoredLine> lines = ledger.read((LedgerSession s) -> s.lines().forOrder("P:PL1^LIS"));
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
            s.lines().insert("O1", ids("O1"), 1, line("C1", LineKind.T, "86320", "20240501083000"), true, "PAT-A", "r1", m, "D1", T0);
            s.lines().insert("O2", ids("O2"), 1, line("C2", LineKind.T, "86320", "20240501170000"), true, "PAT-A", "r1", m, "D2", T0);
            s.lines().insert("O3", ids("O3"), 1, line("C3", LineKind.T, "86320", "20240501090000"), true, "PAT-A", "r1", m, "D3", T0);
            s.lines().insert("O4", ids("O4"), 1, line("C4", LineKind.T, "86320", "20240502083000"), true, "PAT-A", "r1", m, "D4", T0);
            s.lines().insert("O5", ids("O5"), 1, line("C5", LineKind.T, "86334", "20240501083000"), true, "PAT-A", "r1", m, "D5", T0);
            s.lines().insert("O6", ids("O6"), 1, line("C6", LineKind.T, "86320", "20240501083000"), true, "PAT-B", "r1", m, "D6", T0);
            return Map.of("O2", s.lines().forOrder("O2").get(0).id(), "O3", s.lines().forOrder("O3").get(0).id());
        });
        assertThat(ledger.write((LedgerSession s) -> s.lines().close(ids.get("O2"), LineStatus.CREDITED, "CR2", T0))).isTrue();
        assertThat(ledger.write((LedgerSession s) -> s.lines().close(ids.get("O3"), LineStatus.WITHDRAWN, "CR3", T0))).isTrue();
        // A line is closed once.
        assertThat(ledger.write((LedgerSession s) -> s.lines().close(ids.get("O2"), LineStatus.WITHDRAWN, "CR9", T0))).isFalse();

        List<StoredLine> posted = ledger.read((LedgerSession s) -> s.lines().postedForPatient("PAT-A", "86320",
                ChargeLines.dateOnly("20240501120000")));
        assertThat(posted).extracting(StoredLine::orderKey).containsExactly("O1");
        assertThat(ledger.read((LedgerSession s) -> s.lines().forOrder("O2").get(0).status()))
                .isEqualTo(LineStatus.CREDITED);
        assertThat(db.string("SELECT credit_dft FROM charge_line WHERE order_key = 'O2'")).isEqualTo("CR2");
    }

    /** The order numbers of a test order key: the key's text as the placer number. */
    private static OrderKey ids(String orderKey) {
        return new OrderKey(new EntityId(orderKey, "LIS"), null);
    }
}
