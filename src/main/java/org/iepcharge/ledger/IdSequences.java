package org.iepcharge.ledger;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.iepcharge.ledger.SessionSql.Use;

/**
 * The ledger's ID sequences ({@code transaction_seq}, {@code dft_seq}) within one {@link LedgerSession}: database
 * sequences, so every node draws distinct IDs. On the PostgreSQL writer they come from the writer's reserve, drawn
 * from the same sequences several at a time ({@link IdReserve}).
 */
public final class IdSequences {
    private final SessionSql sql;

    IdSequences(SessionSql sql) {
        this.sql = sql;
    }

    /** FT1-2: at most 12 characters, from a database sequence so every node draws distinct IDs. */
    public String nextTransactionId() throws SQLException {
        IdReserve reserve = sql.ids();
        if (reserve != null) {
            reserve.ensure(sql, 0, 1);
            return transactionId(reserve.nextTransaction());
        }
        return transactionId(nextValue("transaction_seq"));
    }

    /** MSH-10 of a DFT: at most 20 characters. */
    public String nextDftControlId() throws SQLException {
        IdReserve reserve = sql.ids();
        if (reserve != null) {
            reserve.ensure(sql, 1, 0);
            return dftControlId(reserve.nextDft());
        }
        return dftControlId(nextValue("dft_seq"));
    }

    /**
     * The MSH-10 of a DFT and the FT1-2 of its {@code charges} lines in one statement (two sequences, one round
     * trip): the same values {@link #nextDftControlId} and then {@code charges} times {@link #nextTransactionId}
     * would draw.
     */
    public DftIds nextDftIds(int charges) throws SQLException {
        long dft;
        long[] transactions = new long[charges];
        IdReserve reserve = sql.ids();
        if (reserve != null) {
            reserve.ensure(sql, 1, charges); // a round trip only when the writer's reserve runs short
            dft = reserve.nextDft();
            for (int i = 0; i < charges; i++) {
                transactions[i] = reserve.nextTransaction();
            }
        } else if (sql.dialect() == SqlDialect.SQLITE) {
            try (Use use = sql.use("UPDATE ledger_sequence SET value = value + CASE name WHEN 'dft_seq' THEN 1"
                    + " ELSE ? END WHERE name IN ('dft_seq', 'transaction_seq') RETURNING name, value")) {
                PreparedStatement ps = use.statement();
                ps.setInt(1, charges);
                long dftValue = -1;
                long lastTransaction = -1;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getString(1).equals("dft_seq")) {
                            dftValue = rs.getLong(2);
                        } else {
                            lastTransaction = rs.getLong(2);
                        }
                    }
                }
                dft = dftValue;
                for (int i = 0; i < charges; i++) {
                    transactions[i] = lastTransaction - charges + 1 + i;
                }
            }
        } else {
            if (charges <= PG_COLUMN_DRAWS) {
                try (Use use = sql.use(PG_DRAWS[charges]); ResultSet rs = use.statement().executeQuery()) {
                    rs.next();
                    dft = rs.getLong(1);
                    for (int i = 0; i < charges; i++) {
                        transactions[i] = rs.getLong(2 + i);
                    }
                }
            } else {
                try (Use use = sql.use("SELECT nextval('dft_seq'),"
                        + " ARRAY(SELECT nextval('transaction_seq') FROM generate_series(1, ?))")) {
                    PreparedStatement ps = use.statement();
                    ps.setInt(1, charges);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        dft = rs.getLong(1);
                        Object[] drawn = (Object[]) rs.getArray(2).getArray();
                        for (int i = 0; i < charges; i++) {
                            transactions[i] = ((Number) drawn[i]).longValue();
                        }
                    }
                }
            }
            java.util.Arrays.sort(transactions);
        }
        List<String> ids = new ArrayList<>(charges);
        for (long t : transactions) {
            ids.add(transactionId(t));
        }
        return new DftIds(dftControlId(dft), ids);
    }

    /**
     * PostgreSQL: the draws for up to this many lines are statements of their own, one column per ID and no
     * parameter. The form with {@code generate_series(1, ?)} was planned again on every execution: its generic plan
     * (a series of unknown length, estimated at 1,000 rows) never looks cheaper than the custom plan for the bound
     * count, so PostgreSQL kept making custom plans — pg_stat_statements, 5,189 calls: 5,191 plans, 56 µs of planning
     * per call against 26 µs of execution (BENCHMARKS.md, "PostgreSQL: per-statement costs"). A statement without
     * parameters has one plan, made once per connection. The target list is evaluated left to right, so the IDs are
     * drawn in column order, and sorted anyway below.
     * https://www.postgresql.org/docs/15/sql-prepare.html (Notes: generic and custom plans)
     */
    private static final int PG_COLUMN_DRAWS = 4;
    private static final String[] PG_DRAWS = new String[PG_COLUMN_DRAWS + 1];

    static {
        StringBuilder b = new StringBuilder("SELECT nextval('dft_seq')");
        for (int n = 0; n <= PG_COLUMN_DRAWS; n++) {
            PG_DRAWS[n] = b.toString();
            b.append(", nextval('transaction_seq')");
        }
    }

    private static String transactionId(long value) {
        return "C" + pad(value, 11);
    }

    private static String dftControlId(long value) {
        return "IEPDFT" + pad(value, 12);
    }

    private long nextValue(String sequence) throws SQLException {
        try (Use use = sql.use(sql.dialect().nextValue(sequence)); ResultSet rs = use.statement().executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String pad(long value, int width) {
        String s = Long.toString(value);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
