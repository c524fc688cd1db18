package org.iepcharge.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node names this process claims on a PostgreSQL ledger: a session-level {@code pg_try_advisory_lock} per name,
 * each held by a connection of its own. The database drops such a lock with its session, also when the server
 * restarts or an administrator ends the session; the process would then run on under a name nobody holds, and a
 * second node under the same name would be let in. So a keeper thread checks the sessions every
 * {@link #CHECK_INTERVAL} and takes a lost name again, logging when it does and when another session holds it
 * meanwhile (docs/cluster.md, "Node names").
 */
final class NodeNameLocks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeNameLocks.class);
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);

    private final Supplier<Connection> connections;
    /** Every claimed name; its session, or null while the name is lost and not yet taken again. */
    private final Map<String, Connection> claimed = new LinkedHashMap<>();
    private Thread keeper;
    private volatile boolean running = true;

    NodeNameLocks(Supplier<Connection> connections) {
        this.connections = connections;
    }

    /** Claims {@code node}; false when another live session holds it. Starts the keeper on the first claim. */
    synchronized boolean tryHold(String node) {
        Connection session = lock(node);
        if (session == null) {
            return false;
        }
        claimed.put(node, session);
        if (keeper == null) {
            keeper = new Thread(this::keep, "ledger-node-name");
            keeper.setDaemon(true);
            keeper.start();
        }
        return true;
    }

    /**
     * Checks every claimed name's session and takes a lost name again when it is free.
     *
     * @return the claimed names not held after the check (another session holds them, or the database is
     *         unreachable)
     */
    synchronized List<String> recheck() {
        List<String> notHeld = new ArrayList<>();
        for (Map.Entry<String, Connection> entry : claimed.entrySet()) {
            Connection session = entry.getValue();
            if (session != null && valid(session)) {
                continue;
            }
            String node = entry.getKey();
            boolean wasHeld = session != null;
            if (wasHeld) {
                closeQuietly(session);
                entry.setValue(null);
            }
            Connection again = null;
            String why = "another session holds it: is a second node running under this name?";
            try {
                again = lock(node);
            } catch (LedgerException e) {
                why = "the database is not reachable (" + e.getMessage() + ")";
            }
            if (again != null) {
                entry.setValue(again);
                LOG.info("iep.node {}: its lock on the ledger was lost (database restarted or session ended) and is"
                        + " held again", node);
            } else {
                notHeld.add(node);
                if (wasHeld) {
                    LOG.warn("iep.node {}: its lock on the ledger was lost (database restarted or session ended) and"
                            + " cannot be taken again yet: {}; checked again every {} s", node, why,
                            CHECK_INTERVAL.toSeconds());
                }
            }
        }
        return notHeld;
    }

    private void keep() {
        while (running) {
            try {
                Thread.sleep(CHECK_INTERVAL.toMillis());
                recheck();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("node name check failed ({}): tried again in {} s", e.getClass().getSimpleName(),
                        CHECK_INTERVAL.toSeconds());
            }
        }
    }

    /** A new session holding the name's lock, or null when another session holds it. */
    private Connection lock(String node) {
        Connection c = connections.get();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            // Advisory locks are database-wide; the name is unique per ledger, which is a schema.
            ps.setLong(1, key(c.getSchema(), node));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return c;
                }
            }
        } catch (SQLException e) {
            closeQuietly(c);
            throw new LedgerException("cannot claim the node name (" + e.getSQLState() + ")", e);
        }
        closeQuietly(c);
        return null;
    }

    private static boolean valid(Connection session) {
        try {
            return session.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * The one-bigint advisory lock key of a node name in one ledger schema: 64 bits of its SHA-256, apart from the
     * patient locks' space. Two ledgers in two schemas of one database each have their own "node1".
     */
    static long key(String schema, String node) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("iep.node:" + schema + ":" + node).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.nio.ByteBuffer.wrap(digest).getLong();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // Closing ends the session, and with it the lock; nothing else to do.
        }
    }

    @Override
    public void close() {
        running = false;
        Thread k;
        synchronized (this) {
            k = keeper;
        }
        if (k != null) {
            k.interrupt();
            try {
                k.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            claimed.values().stream().filter(c -> c != null).forEach(NodeNameLocks::closeQuietly);
            claimed.clear();
        }
    }
}
