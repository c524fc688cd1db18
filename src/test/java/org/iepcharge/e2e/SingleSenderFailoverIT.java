package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;


/**
 * {@code iep.billing.singleSender} on three nodes from the packaged jar ({@code deploy/cluster.sh start 3} with
 * {@code CLUSTER_SINGLE_SENDER=true}: camel-jgroups-raft on loopback, one PostgreSQL ledger, HAProxy in front), with an
 * outside-style LIS and a billing receiver that records every connection and which DFTs came on it.
 *
 * <p>Mid-stream the billing receiver <em>holds the ACK</em> of one DFT; while it is held the test SIGKILLs the node
 * that claimed that DFT (the leader, the only one with a connection) and only then lets the receiver go on — so the
 * kill lands, every time, while a DFT is in flight. Checked: at no moment were two connections to billing open; a
 * different node became leader and delivered the rest; the held DFT came again under the same MSH-10 and FT1-2 once
 * the dead node's lease ended, from the new leader; no order lost, none charged under two transaction IDs, and
 * redeliveries no more than the DFTs in flight at the kill (one: the leader sends one DFT at a time). Printed: the
 * takeover time (kill to the new leader's first DFT) and the time until the held DFT was redelivered.
 *
 * <p>Runs where {@code IEP_TEST_PG_URL} is set (as {@code .ci/run} does, which also installs haproxy).
 */
class SingleSenderFailoverIT {
    /** How long one cluster.sh command may take. */
    private static final java.time.Duration SCRIPT_TIMEOUT = java.time.Duration.ofSeconds(300);


    private static final int PAIRS = 600;
    /** The DFT (by arrival) whose ACK billing holds until the leader is killed. */
    private static final int HELD_DFT = 200;
    /** iep.billing.timeoutMillis: the held ACK must outlast the kill, not time out first. Lease = 5 x this. */
    private static final int BILLING_TIMEOUT_MILLIS = 4_000;

    @TestFactory
    Stream<DynamicTest> onPostgres() {
        String base = System.getenv("IEP_TEST_PG_URL");
        if ((base == null || base.isBlank()) && !Boolean.getBoolean("iep.test.requirePostgres")) {
            return Stream.empty();
        }
        return Stream.of(DynamicTest.dynamicTest("3 nodes, single sender: one billing connection at a time, the"
                + " leader killed with a DFT in flight", () -> run(base)));
    }

    private String user;
    private String password;

    private void run(String base) throws Exception {
        assertThat(base).as("IEP_TEST_PG_URL (iep.test.requirePostgres is set)").isNotBlank();
        user = ClusterScript.env("IEP_TEST_PG_USER", "iep");
        password = ClusterScript.env("IEP_TEST_PG_PASSWORD", "");
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(base, user, password); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        Billing billing = new Billing(HELD_DFT);
        int portBase = ClusterScript.freePortBase(20, 30, 1, 2, 3, 41, 42, 43, 51, 52, 53, 151, 152, 153);
        Map<String, String> env = new HashMap<>();
        Path clusterDir = ClusterScript.jar().getParent().resolve("single-sender-it");
        ClusterScript.deleteTree(clusterDir);
        env.put("CLUSTER_DIR", clusterDir.toString());
        env.put("CLUSTER_JAR", ClusterScript.jar().toString());
        env.put("CLUSTER_NODE_PORT_BASE", String.valueOf(portBase));
        env.put("CLUSTER_LB_PORT", String.valueOf(portBase + 30));
        String ledger = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        env.put("CLUSTER_PG_URL", ledger);
        env.put("CLUSTER_PG_USER", user);
        env.put("CLUSTER_PG_PASSWORD", password);
        env.put("CLUSTER_BILLING_PORT", String.valueOf(billing.port()));
        env.put("CLUSTER_SINGLE_SENDER", "true");
        env.put("IEP_BILLING_TIMEOUT_MILLIS", String.valueOf(BILLING_TIMEOUT_MILLIS));
        env.put("IEP_BILLING_POLL_MILLIS", "50");
        try {
            ClusterScript.run(env, SCRIPT_TIMEOUT, "start", "3");
            ClusterFailoverIT.Lis lis = new ClusterFailoverIT.Lis(portBase + 30);
            Killer killer = new Killer(billing, ledger, clusterDir, env);
            for (int i = 0; i < PAIRS; i++) {
                String mrn = "M" + i;
                lis.send(ClusterFailoverIT.order(mrn, "O" + i, "P" + i));
                lis.send(ClusterFailoverIT.result(mrn, "R" + i, "P" + i));
                killer.rethrow();
            }
            lis.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (billing.chargedOrders() < PAIRS && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            killer.join();
            Map<String, Set<String>> charges = billing.chargesByOrder();
            long lost = PAIRS - charges.size();
            long doubled = charges.values().stream().filter(ids -> ids.size() > 1).count();
            Map<String, String> deliveredBy = deliveredBy(ledger);
            System.out.printf("single sender: %d pairs, %d messages sent, %d resends, lost %d, doubled %d, DFTs"
                            + " received %d on %d connection(s), most connections open at once %d, FT1-2 redelivered"
                            + " %d, longest ACK gap %d ms%n", PAIRS, lis.sent, lis.resends, lost, doubled,
                    billing.received.size(), billing.connections.get(), billing.mostOpen.get(),
                    billing.redeliveries(), lis.longestGapMillis);
            System.out.printf("single sender: leader %s killed with DFT %s in flight; new leader %s sent its first DFT"
                            + " %d ms after the kill; the held DFT came again %d ms after the kill (lease %d ms);"
                            + " DFTs delivered per node %s%n", killer.leader, killer.heldControlId,
                    billing.firstAfterKillBy(deliveredBy), billing.firstAfterKillMillis(), billing.heldAgainMillis(),
                    5L * BILLING_TIMEOUT_MILLIS, countByNode(deliveredBy));
            assertThat(lost).as("orders never charged").isZero();
            assertThat(doubled).as("orders charged under two transaction IDs").isZero();
            assertThat(billing.mostOpen.get()).as("billing connections open at the same time").isEqualTo(1);
            assertThat(killer.leader).as("the node that had the held DFT claimed").isNotNull();
            // The held DFT: sent again under the same MSH-10 and FT1-2, on another connection, by another node.
            assertThat(billing.arrivalsOf(killer.heldControlId)).as("arrivals of the held DFT (MSH-10 %s)",
                    killer.heldControlId).hasSize(2);
            List<String[]> held = billing.arrivalsOf(killer.heldControlId);
            assertThat(held.get(1)[1]).as("FT1-2 of the redelivery").isEqualTo(held.get(0)[1]);
            assertThat(held.get(1)[3]).as("connection of the redelivery").isNotEqualTo(held.get(0)[3]);
            assertThat(deliveredBy.get(killer.heldControlId)).as("node that delivered the held DFT")
                    .isNotEqualTo(killer.leader).startsWith("node");
            // Only the DFT in flight at the kill may come twice (the leader sends one at a time).
            assertThat(billing.redeliveries()).as("FT1-2 redelivered").isEqualTo(1);
            // Another node delivered after the kill, and the killed one (restarted as a follower) did not.
            assertThat(billing.firstAfterKillBy(deliveredBy)).as("leader after the kill").isNotNull()
                    .isNotEqualTo(killer.leader);
            assertThat(billing.afterKillDeliveredBy(deliveredBy)).as("nodes delivering after the kill")
                    .doesNotContain(killer.leader).hasSize(1);
        } finally {
            ClusterScript.run(env, SCRIPT_TIMEOUT, "stop");
            billing.close();
            try (Connection c = DriverManager.getConnection(base, user, password);
                 Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    /**
     * Waits for billing to hold a DFT, finds the node that claimed it in the ledger, SIGKILLs that node's process,
     * lets billing go on, and restarts the node (it rejoins the raft group as a follower).
     */
    private final class Killer {
        private final Thread thread;
        private final List<Throwable> failures = new CopyOnWriteArrayList<>();
        volatile String leader;
        volatile String heldControlId;

        Killer(Billing billing, String ledger, Path clusterDir, Map<String, String> env) {
            thread = new Thread(() -> {
                try {
                    assertThat(billing.holding.await(300, TimeUnit.SECONDS)).as("billing got DFT #" + HELD_DFT)
                            .isTrue();
                    heldControlId = billing.heldControlId;
                    leader = claimedBy(ledger, heldControlId);
                    ClusterFailoverIT.killNow(clusterDir.resolve(leader));
                    billing.killedAt = System.nanoTime();
                    billing.release.countDown();
                    // Back as a follower: the new leader keeps delivering.
                    ClusterScript.run(env, SCRIPT_TIMEOUT, "start-node", leader.substring("node".length()));
                } catch (Throwable e) {
                    failures.add(e);
                    billing.release.countDown();
                }
            }, "leader-killer");
            thread.setDaemon(true);
            thread.start();
        }

        void rethrow() {
            assertThat(failures).as("killing the leader").isEmpty();
        }

        void join() throws InterruptedException {
            thread.join(60_000);
            rethrow();
        }
    }

    private String claimedBy(String ledger, String controlId) throws Exception {
        try (Connection c = DriverManager.getConnection(ledger, user, password);
             PreparedStatement ps = c.prepareStatement("SELECT claimed_by FROM outbox WHERE control_id = ?")) {
            ps.setString(1, controlId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("outbox row of MSH-10 %s", controlId).isTrue();
                return rs.getString(1);
            }
        }
    }

    /** MSH-10 of every delivered DFT -> the node whose claim delivered it. */
    private Map<String, String> deliveredBy(String ledger) throws Exception {
        Map<String, String> by = new HashMap<>();
        try (Connection c = DriverManager.getConnection(ledger, user, password);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT control_id, claimed_by FROM outbox WHERE status = 'DELIVERED'")) {
            while (rs.next()) {
                by.put(rs.getString(1), rs.getString(2));
            }
        }
        return by;
    }

    private static Map<String, Long> countByNode(Map<String, String> deliveredBy) {
        Map<String, Long> counts = new TreeMap<>();
        deliveredBy.values().forEach(n -> counts.merge(String.valueOf(n), 1L, Long::sum));
        return counts;
    }

    // ---- the billing system ------------------------------------------------------------------------------------

    /**
     * ACKs every DFT at once except the {@code holdAt}-th, whose ACK it holds until {@link #release}; records for each
     * DFT its MSH-10, FT1-2, FT1-6, the connection it came on and when; counts the connections open at once.
     */
    private static final class Billing implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final int holdAt;
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile String heldControlId;
        volatile long killedAt;
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger mostOpen = new AtomicInteger();
        private final AtomicInteger dfts = new AtomicInteger();
        /** {MSH-10, FT1-2, FT1-6, connection number, nanoTime} per FT1 received. */
        final List<String[]> received = new CopyOnWriteArrayList<>();
        private final List<Long> receivedAt = new CopyOnWriteArrayList<>();
        private final Map<String, Set<String>> charges = new ConcurrentHashMap<>();

        Billing(int holdAt) throws IOException {
            this.holdAt = holdAt;
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread accept = new Thread(this::accept, "billing-accept");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    int number = connections.incrementAndGet();
                    mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                    Thread t = new Thread(() -> serve(s, number), "billing-conn-" + number);
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s, int connection) {
            try (s) {
                while (true) {
                    String dft = ClusterFailoverIT.readFrame(s.getInputStream());
                    if (dft == null) {
                        return;
                    }
                    long now = System.nanoTime();
                    String mrn = "";
                    String controlId = "";
                    for (String segment : dft.split("\r")) {
                        String[] f = segment.split("\\|", -1);
                        if (segment.startsWith("MSH|")) {
                            controlId = f[9];
                        } else if (segment.startsWith("PID|")) {
                            mrn = f[3].split("\\^")[0];
                        } else if (segment.startsWith("FT1|")) {
                            received.add(new String[] {controlId, f[2], f[6], String.valueOf(connection), mrn});
                            receivedAt.add(now);
                            if ("CG".equals(f[6])) {
                                charges.computeIfAbsent(mrn, k -> ConcurrentHashMap.newKeySet()).add(f[2]);
                            }
                        }
                    }
                    if (dfts.incrementAndGet() == holdAt) {
                        heldControlId = controlId;
                        holding.countDown();
                        release.await(120, TimeUnit.SECONDS); // the sender is killed meanwhile
                    }
                    String ack = "MSH|^~\\&|BILLING|BILLING|IEP|LAB|20261121100000||ACK^P03^ACK|A" + controlId
                            + "|P|2.5.1\rMSA|AA|" + controlId + "\r";
                    OutputStream out = s.getOutputStream();
                    out.write((ClusterFailoverIT.VT + ack + ClusterFailoverIT.FS + "\r")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // The sender went away (killed).
            } finally {
                open.decrementAndGet();
            }
        }

        int chargedOrders() {
            return charges.size();
        }

        Map<String, Set<String>> chargesByOrder() {
            return Map.copyOf(charges);
        }

        long redeliveries() {
            Map<String, Integer> seen = new HashMap<>();
            received.forEach(r -> seen.merge(r[1] + "/" + r[2], 1, Integer::sum));
            return seen.values().stream().mapToLong(n -> n - 1).sum();
        }

        List<String[]> arrivalsOf(String controlId) {
            return received.stream().filter(r -> r[0].equals(controlId)).toList();
        }

        /** Index of the first FT1 received after the kill, or -1. */
        private int firstAfterKill() {
            for (int i = 0; i < receivedAt.size(); i++) {
                if (killedAt != 0 && receivedAt.get(i) > killedAt) {
                    return i;
                }
            }
            return -1;
        }

        long firstAfterKillMillis() {
            int i = firstAfterKill();
            return i < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(receivedAt.get(i) - killedAt);
        }

        String firstAfterKillBy(Map<String, String> deliveredBy) {
            int i = firstAfterKill();
            return i < 0 ? null : deliveredBy.get(received.get(i)[0]);
        }

        Set<String> afterKillDeliveredBy(Map<String, String> deliveredBy) {
            Set<String> nodes = new TreeSet<>();
            int first = firstAfterKill();
            for (int i = Math.max(first, 0); first >= 0 && i < received.size(); i++) {
                nodes.add(String.valueOf(deliveredBy.get(received.get(i)[0])));
            }
            return nodes;
        }

        long heldAgainMillis() {
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < received.size(); i++) {
                if (received.get(i)[0].equals(heldControlId)) {
                    times.add(receivedAt.get(i));
                }
            }
            return times.size() < 2 ? -1 : TimeUnit.NANOSECONDS.toMillis(times.get(1) - killedAt);
        }

        @Override
        public void close() throws IOException {
            release.countDown();
            server.close();
        }
    }

    // ---- the cluster script ------------------------------------------------------------------------------------

}
