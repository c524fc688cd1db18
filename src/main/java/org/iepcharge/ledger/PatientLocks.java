package org.iepcharge.ledger;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Objects;

/**
 * Per-patient serialization across nodes on PostgreSQL. Everything the engine decides per patient (repeat, duplicate
 * order, MUE, order context, corrections and credits) reads committed lines and then writes; two nodes doing that at
 * once for one patient would both decide "first" (measured: two 86320 first charges in 12–18 of 20 races). Each
 * write transaction therefore takes {@code pg_advisory_xact_lock} on every patient its work touches before any of it
 * runs; the database releases the locks at commit or rollback, and when a killed node's connection drops.
 *
 * <p>A group commit carries several patients' work, so the locks are taken in one statement in ascending key order:
 * every node locks in the same order and two batches cannot wait on each other through these locks. A deadlock or
 * serialization failure that still happens (through row locks) rolls the batch back and {@link GroupCommitter} runs
 * it again; nothing of it was acknowledged.
 */
final class PatientLocks {

    /**
     * First key of the two-key advisory lock space ("IEPP"), so these locks cannot meet another application's or the
     * node-name lock (which uses the one-bigint space; PostgreSQL keeps the two spaces apart).
     */
    static final int NAMESPACE = 0x49455050;

    private static final String LOCK_SQL = "SELECT k, pg_advisory_xact_lock(" + NAMESPACE + ", k)"
            + " FROM (SELECT DISTINCT k FROM unnest(?::int[]) AS u(k) ORDER BY k) AS sorted";

    private PatientLocks() {
    }

    /** The lock key of a patient: Java's String hash, the same on every node and JVM. */
    static int key(String patientKey) {
        return patientKey.hashCode();
    }

    /** Takes the transaction locks of {@code patientKeys} (nulls ignored), in ascending key order, waiting for each. */
    static void lockAll(Connection c, Collection<String> patientKeys) throws SQLException {
        Integer[] keys = patientKeys.stream().filter(Objects::nonNull).map(PatientLocks::key).sorted().distinct()
                .toArray(Integer[]::new);
        if (keys.length == 0) {
            return;
        }
        Array array = c.createArrayOf("int4", keys);
        try (PreparedStatement ps = c.prepareStatement(LOCK_SQL)) {
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // Each row is one lock taken; reading them all makes sure the statement ran to its end.
                }
            }
        } finally {
            array.free();
        }
    }

    /** PostgreSQL's deadlock_detected and serialization_failure: the transaction is worth running again. */
    static boolean isConflict(Throwable e) {
        SQLException sql = sqlCause(e);
        return sql != null && ("40P01".equals(sql.getSQLState()) || "40001".equals(sql.getSQLState()));
    }

    static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    /** Thrown out of a batch so that {@link GroupCommitter} rolls it back and runs it again. */
    static final class Conflict extends RuntimeException {
        Conflict(SQLException cause) {
            super(cause.getSQLState(), cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }
}
