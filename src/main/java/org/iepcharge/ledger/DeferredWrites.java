package org.iepcharge.ledger;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL writer only: the writes of a transaction whose result no one reads (an INSERT whose key is known, an
 * UPDATE whose count does not matter), held back and sent in the same round trip as the transaction's next statement,
 * or with the commit. pgjdbc sends a statement string holding several statements as one round trip (its extended
 * protocol: a Parse/Bind/Execute per statement, one Sync), the parameters numbered across the whole string; the
 * server runs them in order and stops at the first error, which aborts the transaction as before.
 *
 * <p>Why: a writer's transaction waits for the round trip of every statement, and the server waits "idle in
 * transaction" between them (BENCHMARKS.md, PostgreSQL ledger: ≈ 7.6 round trips per message). Reads still go to the
 * server when they are made, and every write held back goes with them, ahead of them: each read sees every write made
 * before it, in the order made. A write that fails is reported by the statement it travelled with (another job's
 * read, or the commit): {@link GroupCommitter} then runs the batch again with savepoints, where each job's writes are
 * sent before its savepoint is released, so the failing job fails alone.
 */
final class DeferredWrites {
    /** One {@code setXxx(index, value…)} call on a statement, replayed on the combined statement. */
    private record Call(Method method, Object[] args) {
    }

    private record Write(String sql, int parameters, List<Call> calls) {
    }

    /** Beyond this many distinct combined statements a combination is prepared for one use and closed. */
    private static final int MAX_CACHED_COMBINATIONS = 256;

    private final List<Write> writes = new ArrayList<>();
    private final java.util.Set<String> cachedCombinations = new java.util.HashSet<>();
    private boolean failed;

    boolean isEmpty() {
        return writes.isEmpty();
    }

    /** Drops what is held (the transaction is being rolled back) and forgets a failure. */
    void clear() {
        writes.clear();
        failed = false;
    }

    /** True when writes held back were sent and failed: the transaction is aborted, whoever caught the exception. */
    boolean failed() {
        return failed;
    }

    /** A statement whose {@code setXxx} calls are recorded and whose {@code executeUpdate} holds it back (returns 1). */
    PreparedStatement recorder(String sql, StatementCounts counts) {
        List<Call> calls = new ArrayList<>();
        InvocationHandler h = (proxy, method, args) -> switch (method.getName()) {
            case "executeUpdate" -> {
                if (args != null && args.length > 0) {
                    throw new UnsupportedOperationException("a held-back write runs its prepared SQL");
                }
                writes.add(new Write(sql, parameters(sql), List.copyOf(calls)));
                calls.clear();
                counts.deferred();
                yield 1;
            }
            case "clearParameters" -> {
                calls.clear();
                yield null;
            }
            case "close" -> null;
            case "isClosed" -> false;
            default -> {
                if (method.getName().startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer) {
                    calls.add(new Call(method, args.clone()));
                    yield null;
                }
                throw new UnsupportedOperationException("not for a held-back write: " + method.getName());
            }
        };
        return statement(h);
    }

    /**
     * The constructor of the proxy class, looked up once: {@link Proxy#newProxyInstance} looks it up on every call
     * (a CPU profile of the writer showed the look-up, with the caller check, among the proxies' own costs).
     */
    private static final java.lang.reflect.Constructor<?> PROXY;

    static {
        try {
            PROXY = Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, (p, m, a) -> null).getClass()
                    .getConstructor(InvocationHandler.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("a proxy class has a constructor taking its handler", e);
        }
    }

    private static PreparedStatement statement(InvocationHandler h) {
        try {
            return (PreparedStatement) PROXY.newInstance(h);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code sql} with every write held back sent ahead of it in the same round trip: the statement handed out takes
     * {@code sql}'s own parameter numbers and answers {@code executeQuery}/{@code executeUpdate}/{@code execute}
     * with {@code sql}'s result. The held writes are bound now and no longer held.
     */
    PreparedStatement ahead(String sql, StatementCache statements) throws SQLException {
        String combined = combined(sql);
        boolean cached = cachedCombinations.contains(combined) || cachedCombinations.size() < MAX_CACHED_COMBINATIONS;
        PreparedStatement real;
        if (cached) {
            cachedCombinations.add(combined);
            real = statements.prepare(combined, java.sql.Statement.NO_GENERATED_KEYS);
        } else {
            real = statements.prepareOnce(combined);
        }
        int offset = bind(real);
        int skip = writes.size();
        writes.clear();
        return offsetProxy(real, offset, skip, !cached);
    }

    /** Sends what is held, alone (before a commit, or at the end of a job that has its own savepoint). */
    void flush(StatementCache statements) throws SQLException {
        if (writes.isEmpty()) {
            return;
        }
        // The last write is the statement; the ones before it travel ahead of it.
        Write last = writes.remove(writes.size() - 1);
        statements.counts().sentAlone();
        PreparedStatement ps = writes.isEmpty() ? statements.prepare(last.sql(), java.sql.Statement.NO_GENERATED_KEYS)
                : ahead(last.sql(), statements);
        try {
            for (Call call : last.calls()) {
                set(ps, (Integer) call.args()[0], call.method(), call.args());
            }
            ps.execute(); // the batch's patient locks are a SELECT
        } catch (SQLException | RuntimeException e) {
            failed = true;
            throw e;
        } finally {
            if (Proxy.isProxyClass(ps.getClass())) {
                ps.close();
            }
            writes.clear();
        }
    }

    /**
     * Sends what is held and the transaction's COMMIT in one round trip; false (nothing sent) when nothing is held.
     * The server runs the statements in order and stops at the first error: a failed write means no COMMIT ran
     * and the transaction is aborted. The COMMIT returns only once durable (synchronous_commit on), like
     * {@link java.sql.Connection#commit}; pgjdbc then sees the connection idle and begins the next transaction itself.
     */
    boolean flushWithCommit(StatementCache statements) throws SQLException {
        if (writes.isEmpty()) {
            return false;
        }
        try (PreparedStatement ps = ahead("COMMIT", statements)) {
            ps.executeUpdate();
        }
        return true;
    }

    private String combined(String sql) {
        StringBuilder b = new StringBuilder();
        for (Write w : writes) {
            b.append(w.sql()).append(";\n");
        }
        return b.append(sql).toString();
    }

    private int bind(PreparedStatement real) throws SQLException {
        int offset = 0;
        for (Write w : writes) {
            for (Call call : w.calls()) {
                set(real, (Integer) call.args()[0] + offset, call.method(), call.args());
            }
            offset += w.parameters();
        }
        return offset;
    }

    private PreparedStatement offsetProxy(PreparedStatement real, int offset, int skip, boolean closeAfter) {
        InvocationHandler h = (proxy, method, args) -> {
            String name = method.getName();
            if (name.startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer i) {
                set(real, i + offset, method, args);
                return null;
            }
            return switch (name) {
                case "executeQuery" -> {
                    requireNoSql(args);
                    runAhead(real, skip);
                    ResultSet rs = real.getResultSet();
                    if (rs == null) {
                        throw new SQLException("the statement after held-back writes returned no rows");
                    }
                    yield rs;
                }
                case "executeUpdate" -> {
                    requireNoSql(args);
                    runAhead(real, skip);
                    yield real.getUpdateCount();
                }
                case "execute" -> {
                    requireNoSql(args);
                    runAhead(real, skip);
                    yield real.getResultSet() != null;
                }
                case "close" -> {
                    if (closeAfter) {
                        real.close();
                    }
                    yield null;
                }
                case "clearParameters" -> null;
                default -> invoke(real, method, args);
            };
        };
        return statement(h);
    }

    private static void requireNoSql(Object[] args) {
        if (args != null && args.length > 0) {
            throw new UnsupportedOperationException("a combined statement runs its prepared SQL");
        }
    }

    /**
     * Executes the combined statement and moves past the held statements' results (update counts, or the rows of
     * the patient locks) to the last statement's result.
     */
    private void runAhead(PreparedStatement real, int skip) throws SQLException {
        try {
            real.execute();
            for (int i = 0; i < skip; i++) {
                real.getMoreResults();
            }
        } catch (SQLException e) {
            failed = true;
            throw e;
        }
    }

    /**
     * Replays one recorded {@code setXxx(index, value…)} call at {@code index}. The setters our SQL uses are called
     * directly: replayed through {@link Method#invoke}, with its access check (a caller-class walk) per call, they
     * were ≈ 7 % of the PostgreSQL writer threads' CPU in a profile; any other setter still goes through reflection.
     */
    private static void set(PreparedStatement ps, int index, Method method, Object[] args) throws SQLException {
        if (args.length == 2) {
            Object v = args[1];
            switch (method.getName()) {
                case "setString" -> {
                    ps.setString(index, (String) v);
                    return;
                }
                case "setLong" -> {
                    ps.setLong(index, (Long) v);
                    return;
                }
                case "setInt" -> {
                    ps.setInt(index, (Integer) v);
                    return;
                }
                case "setTimestamp" -> {
                    ps.setTimestamp(index, (java.sql.Timestamp) v);
                    return;
                }
                case "setBytes" -> {
                    ps.setBytes(index, (byte[]) v);
                    return;
                }
                case "setBoolean" -> {
                    ps.setBoolean(index, (Boolean) v);
                    return;
                }
                case "setArray" -> {
                    ps.setArray(index, (java.sql.Array) v);
                    return;
                }
                case "setNull" -> {
                    ps.setNull(index, (Integer) v);
                    return;
                }
                default -> {
                    // below
                }
            }
        }
        Object[] shifted = args.clone();
        shifted[0] = index;
        invoke(ps, method, shifted);
    }

    private static Object invoke(PreparedStatement target, Method method, Object[] args) throws SQLException {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new LedgerException("statement call failed", e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The parameters of one statement: our SQL has no '?' inside literals or comments. */
    private static int parameters(String sql) {
        int n = 0;
        for (int i = 0; i < sql.length(); i++) {
            if (sql.charAt(i) == '?') {
                n++;
            }
        }
        return n;
    }
}
