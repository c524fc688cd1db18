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

    /**
     * PostgreSQL writer: IDs come from its reserve ({@link IdReserve}), one round trip per {@value IdReserve#DRAW}
     * charges instead of one per charge; a rolled-back batch's IDs are never handed out again.
     */
    @OnPostgres
    void theWriterDrawsIdsAheadAndNeverHandsOneOutTwice(TestDatabase.Backend backend) {
        open(backend);
        StatementCounts counts = ledger.writerStatements();
        List<DftIds> drawn = new ArrayList<>();
        drawn.add(ledger.write((LedgerSession s) -> s.sequences().nextDftIds(1))); // fills the reserve
        long roundTrips = counts.roundTripCount();
        for (int i = 1; i < IdReserve.DRAW; i++) {
            drawn.add(ledger.write((LedgerSession s) -> s.sequences().nextDftIds(1)));
        }
        // Only each batch's COMMIT went to the server: no draw.
        assertThat(counts.roundTripCount() - roundTrips).isEqualTo(IdReserve.DRAW - 1);

        // A batch that takes IDs and then fails is rolled back; what it took is not handed out again.
        String[] lost = new String[1];
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ledger.write((LedgerSession s) -> {
            lost[0] = s.sequences().nextDftControlId();
            throw new SQLException("rolled back on purpose");
        }));
        for (int i = 0; i < 2 * IdReserve.DRAW; i++) {
            drawn.add(ledger.write((LedgerSession s) -> s.sequences().nextDftIds(2)));
        }
        List<String> dfts = drawn.stream().map(DftIds::controlId).toList();
        List<String> transactions = drawn.stream().flatMap(d -> d.transactionIds().stream()).toList();
        assertThat(dfts).doesNotHaveDuplicates().isSorted().doesNotContain(lost[0]);
        assertThat(transactions).hasSize(IdReserve.DRAW + 4 * IdReserve.DRAW).doesNotHaveDuplicates().isSorted();
    }

    private static List<String> draw(LedgerSession s, int n) throws SQLException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(s.sequences().nextTransactionId());
        }
        return out;
    }
}
