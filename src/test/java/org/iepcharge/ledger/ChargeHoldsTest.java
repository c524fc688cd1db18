package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.HoldReason;

/** Holds ({@link ChargeHolds}): opened, read back and closed exactly once. */
class ChargeHoldsTest extends LedgerTestSupport {

    record Trigger(String test, List<String> codes) {
    }

    @OnBothDatabases
    void holdIsOpenedAndClosedExactlyOnce(TestDatabase.Backend backend) {
        open(backend);
        long m = message("ORU1");
        Trigger trigger = new Trigger("IEP", List.of("86320", "86334"));
        long h1 = ledger.write((LedgerSession s) -> s.holds().open("O1", "86320", LineKind.T, "PAT-A", HoldReason.NO_DIAGNOSIS, "no diagnosis", m, trigger, T0));
        long h2 = ledger.write((LedgerSession s) -> s.holds().open("O1", "86320", LineKind.P, "PAT-A", HoldReason.NO_DIAGNOSIS, "no diagnosis", m, trigger, T0));
        long h3 = ledger.write((LedgerSession s) -> s.holds().open("O2", "86320", LineKind.T, "PAT-B", HoldReason.NOT_SUPPORTED_WITHOUT_ABN, "abn", m, trigger, T0));

        assertThat(ledger.read((LedgerSession s) -> s.holds().find(h1))).get()
                .isEqualTo(new HoldRecord(h1, "O1", "86320", LineKind.T, "PAT-A", HoldReason.NO_DIAGNOSIS, "no diagnosis", HoldStatus.OPEN, m,
                        T0));
        assertThat(ledger.read((LedgerSession s) -> s.holds().trigger(h1, Trigger.class))).contains(trigger);
        assertThat(ledger.read((LedgerSession s) -> s.holds().openForOrder("O1"))).extracting(HoldRecord::id).containsExactly(h1, h2);

        assertThat(ledger.write((LedgerSession s) -> s.holds().close(h1, HoldStatus.RELEASED, "analyst released", T0))).isTrue();
        assertThat(ledger.write((LedgerSession s) -> s.holds().close(h1, HoldStatus.DISCARDED, "again", T0))).isFalse();
        assertThat(ledger.read((LedgerSession s) -> s.holds().find(h1))).get().extracting(HoldRecord::status).isEqualTo(HoldStatus.RELEASED);
        assertThat(db.string("SELECT closed_note FROM charge_hold WHERE id = ?", h1)).isEqualTo("analyst released");
        assertThat(ledger.read((LedgerSession s) -> s.holds().openForOrder("O1"))).extracting(HoldRecord::id).containsExactly(h2);
        assertThat(ledger.read((LedgerSession s) -> s.holds().allOpen())).extracting(HoldRecord::id).containsExactly(h2, h3);
        assertThat(ledger.read((LedgerSession s) -> s.holds().find(999_999L))).isEmpty();
        assertThat(ledger.write((LedgerSession s) -> s.holds().close(999_999L, HoldStatus.RELEASED, "none", T0))).isFalse();
    }
}
