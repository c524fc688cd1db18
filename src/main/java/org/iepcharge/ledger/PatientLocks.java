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
     * The locks are in the two-key advisory lock space (the node-name lock uses the one-bigint space; PostgreSQL keeps
     * the two apart): the first key is the ledger's ({@link #namespace}), the second the patient's ({@link #key}).
     */
    private static final String LOCK_SQL = "SELECT k, pg_advisory_xact_lock(?, k)"
            + " FROM (SELECT DISTINCT k FROM unnest(?::int[]) AS u(k) ORDER BY k) AS sorted";

    private PatientLocks() {
    }

    /**
     * The first lock key of the ledger in {@code schema}: advisory locks are database-wide, and two ledgers in two
     * schemas of one database (a test's, another deployment's) must not wait on each other's patients. 32 bits of
     * the SHA-256 of "iep.patient:" and the schema, the same on every node. Measured: with one constant space for
     * every schema, a bench in its own schema waited on another engine's locks on the same bench patients (24 msg/s,
     * writers 0.06 core busy).
     */
    static int namespace(String schema) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("iep.patient:" + schema).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.nio.ByteBuffer.wrap(digest).getInt();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The lock key of a patient: Java's String hash, the same on every node and JVM. */
    static int key(String patientKey) {
        return patientKey.hashCode();
    }

    /**
     * Takes the transaction locks of {@code patientKeys} (nulls ignored) in the ledger's {@code namespace}, in
     * ascending key order, waiting for each: one statement for the whole batch, held back to travel ahead of the
     * batch's first statement ({@link DeferredWrites}), so it costs no round trip of its own. The server still takes
     * every lock before it runs any of the batch's work (the statements of one round trip run in order); a deadlock
     * is reported by that first statement.
     */
    static void lockAllAhead(Connection c, DeferredWrites deferred, StatementCounts counts, int namespace,
                             Collection<String> patientKeys) throws SQLException {
        Integer[] keys = patientKeys.stream().filter(Objects::nonNull).map(PatientLocks::key).sorted().distinct()
                .toArray(Integer[]::new);
        if (keys.length == 0) {
            return;
        }
        PreparedStatement ps = deferred.recorder(LOCK_SQL, counts);
        ps.setInt(1, namespace);
        ps.setArray(2, c.createArrayOf("int4", keys));
        ps.executeUpdate();
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
