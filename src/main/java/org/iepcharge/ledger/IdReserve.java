package org.iepcharge.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;

import org.iepcharge.ledger.SessionSql.Use;

/**
 * PostgreSQL writer: DFT control IDs and FT1 transaction IDs drawn from the ledger's sequences {@value #DRAW} at a
 * time and handed out by this one writer thread. Every charge used to draw its IDs in a round trip of its own (one of
 * ≈ 2.8 per message in the bench's mix, a third of its messages post a charge: BENCHMARKS.md, "PostgreSQL: the writers'
 * plans, IDs drawn ahead"); a draw now serves {@value #DRAW} charges.
 *
 * <p>What stays as it was: every ID comes from the database sequences, so no two nodes or writers ever hold the same
 * one, and an ID is stored with its line and DFT in the transaction that posts them (stable under a resend). What
 * changes: IDs are no longer in commit order across writers and nodes (docs/decision-contract.md §8 asks for unique
 * IDs, not ordered ones; the outbox sends an order's DFTs by their row ids), and the IDs a writer holds when the
 * engine stops, or that a rolled-back batch took, are never used — gaps, as a rolled-back {@code nextval} always left.
 * PostgreSQL's own sequence cache ({@code CACHE n}) would save the server's sequence work but not the round trip.
 * https://www.postgresql.org/docs/15/functions-sequence.html (nextval is never rolled back)
 */
final class IdReserve {
    static final int DRAW = 16;
    /** No parameters: one generic plan per connection (see {@link IdSequences}' column draws). */
    private static final String DRAW_SQL = "SELECT nextval('dft_seq'), nextval('transaction_seq')"
            + " FROM generate_series(1, " + DRAW + ")";

    private final ArrayDeque<Long> dfts = new ArrayDeque<>();
    private final ArrayDeque<Long> transactions = new ArrayDeque<>();

    /** Makes sure {@code dftCount} DFT IDs and {@code transactionCount} transaction IDs are held, drawing if not. */
    void ensure(SessionSql sql, int dftCount, int transactionCount) throws SQLException {
        while (dfts.size() < dftCount || transactions.size() < transactionCount) {
            long[] d = new long[DRAW];
            long[] t = new long[DRAW];
            int n = 0;
            try (Use use = sql.use(DRAW_SQL); ResultSet rs = use.statement().executeQuery()) {
                while (rs.next()) {
                    d[n] = rs.getLong(1);
                    t[n] = rs.getLong(2);
                    n++;
                }
            }
            // Kept only once the whole draw is read: a draw that fails half-way hands out nothing of it.
            java.util.Arrays.sort(d, 0, n);
            java.util.Arrays.sort(t, 0, n);
            for (int i = 0; i < n; i++) {
                dfts.add(d[i]);
                transactions.add(t[i]);
            }
        }
    }

    long nextDft() {
        return dfts.remove();
    }

    long nextTransaction() {
        return transactions.remove();
    }
}
