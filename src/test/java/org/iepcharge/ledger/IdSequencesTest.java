package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/** DFT control IDs and FT1 transaction IDs ({@link IdSequences}), drawn from database sequences. */
class IdSequencesTest extends LedgerTestSupport {

    @OnBothDatabases
    void oneDrawGivesADftItsControlIdAndDistinctTransactionIds(TestDatabase.Backend backend) {
        open(backend);
        DftIds first = ledger.write((LedgerSession s) -> s.sequences().nextDftIds(3));
        DftIds second = ledger.write((LedgerSession s) -> s.sequences().nextDftIds(1));
        String single = ledger.write((LedgerSession s) -> s.sequences().nextTransactionId());
        String dft = ledger.write((LedgerSession s) -> s.sequences().nextDftControlId());
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

        String dft = ledger.write((LedgerSession s) -> s.sequences().nextDftControlId());
        String dft2 = node2.write((LedgerSession s) -> s.sequences().nextDftControlId());
        assertThat(List.of(dft, dft2)).allSatisfy(c -> assertThat(c).hasSizeLessThanOrEqualTo(20)).doesNotHaveDuplicates();
    }

    private static List<String> draw(LedgerSession s, int n) throws SQLException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(s.sequences().nextTransactionId());
        }
        return out;
    }
}
