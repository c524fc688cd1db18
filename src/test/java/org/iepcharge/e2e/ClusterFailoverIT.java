package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;


/**
 * The cluster as a user starts it ({@code deploy/cluster.sh}: two nodes from the packaged jar on one PostgreSQL
 * ledger, behind HAProxy) with an outside-style LIS and billing system. The LIS sends 2,000 order/result pairs through
 * HAProxy over one connection and, as a LIS does, sends again whatever got no AA (timeout, closed connection, AR).
 * Mid-stream node 1 is SIGKILLed and restarted, then node 2 — killed while DFTs are on their way to a slow billing
 * receiver, and kept down past its outbox lease (5 s here) so that node 1 must take its claims over. The billing
 * receiver ACKs every DFT and counts: every order charged (none lost), no order charged under two transaction IDs
 * (none doubled); redeliveries of one FT1-2 and the longest gap between two AAs at the LIS are printed.
 *
 * <p>Runs where {@code IEP_TEST_PG_URL} is set (as {@code .ci/run} does, which also installs haproxy).
 */
class ClusterFailoverIT {
    /** How long one cluster.sh command may take. */
    private static final java.time.Duration SCRIPT_TIMEOUT = java.time.Duration.ofSeconds(120);


    private static final int PAIRS = 2_000;
    static final char VT = 0x0b;
    static final char FS = 0x1c;

    @TestFactory
    Stream<DynamicTest> onPostgres() {
        String base = System.getenv("IEP_TEST_PG_URL");
        if ((base == null || base.isBlank()) && !Boolean.getBoolean("iep.test.requirePostgres")) {
            return Stream.empty();
        }
        return Stream.of(DynamicTest.dynamicTest(PAIRS + " pairs through HAProxy, each node killed once: nothing"
                + " lost, nothing doubled", () -> run(base)));
    }

    private void run(String base) throws Exception {
        assertThat(base).as("IEP_TEST_PG_URL (iep.test.requirePostgres is set)").isNotBlank();
        user = ClusterScript.env("IEP_TEST_PG_USER", "iep");
        password = ClusterScript.env("IEP_TEST_PG_PASSWORD", "");
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(base, user, password); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        Billing billing = new Billing(Duration.ofMillis(3));
        int portBase = ClusterScript.freePortBase(1, 2, 41, 42, 20, 30);
        Map<String, String> env = new HashMap<>();
        // In the build folder, not a temporary one: node and HAProxy logs stay there for whoever reads a failure.
        Path clusterDir = ClusterScript.jar().getParent().resolve("cluster-failover-it");
        ClusterScript.deleteTree(clusterDir);
        env.put("CLUSTER_DIR", clusterDir.toString());
        env.put("CLUSTER_JAR", ClusterScript.jar().toString());
        env.put("CLUSTER_NODE_PORT_BASE", String.valueOf(portBase));
        env.put("CLUSTER_LB_PORT", String.valueOf(portBase + 30));
        env.put("CLUSTER_PG_URL", base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema);
        env.put("CLUSTER_PG_USER", user);
        env.put("CLUSTER_PG_PASSWORD", password);
        env.put("CLUSTER_BILLING_PORT", String.valueOf(billing.port()));
        // Lease = 5 x the billing timeout: 5 s, so a node kept down 8 s has its claims taken over within the test.
        env.put("IEP_BILLING_TIMEOUT_MILLIS", "1000");
        env.put("IEP_BILLING_POLL_MILLIS", "50");
        String ledger = env.get("CLUSTER_PG_URL");
        Takeover takeover = null;
        try {
            ClusterScript.run(env, SCRIPT_TIMEOUT, "start", "2");
            Lis lis = new Lis(portBase + 30);
            List<Thread> restarts = new ArrayList<>();
            for (int i = 0; i < PAIRS; i++) {
                if (i == 600) {
                    ClusterScript.run(env, SCRIPT_TIMEOUT, "kill", "1");
                    restarts.add(background(() -> ClusterScript.run(env, SCRIPT_TIMEOUT, "start-node", "1")));
                }
                if (i == 1250) {
                    // Billing slows down so that DFTs queue up in the outbox and node 2 holds claims when killed.
                    billing.delayMillis = 250;
                }
                if (i == 1300) {
                    join(restarts);
                    assertThat(waitForClaims(ledger, "node2")).as("node 2 holds claims before the kill").isTrue();
                    // Billing holds the ACK of the next DFT node 2 sends: the kill lands while it is in flight.
                    billing.holdIf = controlId -> "node2".equals(claimedByOf(ledger, controlId));
                    assertThat(billing.holding.await(60, TimeUnit.SECONDS)).as("node 2 sent a DFT").isTrue();
                    // While DFTs flow to billing; node 2 stays down past its 5 s lease, the LIS goes on via node 1.
                    List<Long> claimed = claimedBy(ledger, "node2");
                    killNow(Path.of(env.get("CLUSTER_DIR"), "node2"));
                    billing.release.countDown();
                    takeover = new Takeover(ledger, claimed);
                    billing.delayMillis = 3;
                    Takeover watched = takeover;
                    restarts.add(background(() -> {
                        Thread.sleep(8_000);
                        watched.nodeRestarting();
                        ClusterScript.run(env, SCRIPT_TIMEOUT, "start-node", "2");
                    }));
                }
                String mrn = "M" + i;
                lis.send(order(mrn, "O" + i, "P" + i));
                lis.send(result(mrn, "R" + i, "P" + i));
            }
            join(restarts);
            lis.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (billing.chargedOrders() < PAIRS && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Map<String, Set<String>> charges = billing.chargesByOrder();
            long lost = PAIRS - charges.size();
            long doubled = charges.values().stream().filter(ids -> ids.size() > 1).count();
            System.out.printf("cluster failover: %d pairs, %d messages sent, %d resends, lost %d, doubled %d,"
                    + " DFTs received %d, FT1-2 redelivered %d, longest ACK gap %d ms%n", PAIRS, lis.sent, lis.resends,
                    lost, doubled, billing.received.size(), billing.redeliveries(), lis.longestGapMillis);
            assertThat(lost).as("orders never charged").isZero();
            assertThat(doubled).as("orders charged under two transaction IDs").isZero();
            assertThat(lis.resends).as("the kills cost the LIS resends").isPositive();
            assertThat(takeover).as("node 2 was killed").isNotNull();
            takeover.await();
            System.out.printf("takeover: %d claimed DFTs at kill, delivered by other node after %d ms (lease %d ms),"
                    + " carried by %s%n", takeover.claimed.size(), takeover.deliveredAfterMillis, LEASE_MILLIS,
                    takeover.carriers);
            assertThat(takeover.claimed).as("DFTs node 2 had claimed when killed").isNotEmpty();
            assertThat(takeover.deliveredAfterMillis).as("all of node 2's claimed DFTs delivered").isNotNegative();
            assertThat(takeover.carriers).as("who delivered node 2's claimed DFTs").containsExactly("node1");
            assertThat(takeover.beforeRestart).as("delivered while node 2 was still down").isTrue();
            // The DFT whose ACK billing held at the kill: sent again under the same MSH-10 and FT1-2, by node 1.
            List<String[]> held = billing.arrivalsOf(billing.heldControlId);
            System.out.printf("held at the kill: MSH-10 %s, arrivals %d, FT1-2 %s, delivered by %s%n",
                    billing.heldControlId, held.size(), held.stream().map(r -> r[1]).toList(),
                    claimedByOf(ledger, billing.heldControlId));
            assertThat(held).as("arrivals of the DFT in flight at node 2's kill").hasSize(2);
            assertThat(held.get(1)[1]).as("FT1-2 of its redelivery").isEqualTo(held.get(0)[1]);
            assertThat(claimedByOf(ledger, billing.heldControlId)).as("who delivered it").isEqualTo("node1");
            // At most the DFTs in flight at the two kills (a node sends one at a time) come twice.
            assertThat(billing.redeliveries()).as("FT1-2 redelivered").isBetween(1L, 2L);
        } finally {
            ClusterScript.run(env, SCRIPT_TIMEOUT, "stop");
            billing.close();
            try (Connection c = DriverManager.getConnection(base, user, password);
                 Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    // ---- the takeover of a dead node's claims -------------------------------------------------------------------

    /** 5 x IEP_BILLING_TIMEOUT_MILLIS (the outbox poller's lease). */
    private static final long LEASE_MILLIS = 5_000;

    private String user;
    private String password;

    private Connection ledgerConnection(String ledger) throws java.sql.SQLException {
        return DriverManager.getConnection(ledger, user, password);
    }

    /** SIGKILLs the node whose folder is {@code nodeDir} and waits (polling /proc) until its sockets are closed. */
    static void killNow(Path nodeDir) throws Exception {
        long pid = Long.parseLong(Files.readString(nodeDir.resolve("pid")).trim());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Path stat = Path.of("/proc/" + pid + "/stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String text;
            try {
                text = Files.readString(stat);
            } catch (IOException gone) {
                return;
            }
            char state = text.charAt(text.lastIndexOf(')') + 2);
            if (state == 'Z' || state == 'X') {
                return; // a zombie: dead, its sockets closed, not yet reaped
            }
            Thread.sleep(1);
        }
        throw new AssertionError("pid " + pid + " still runs 10 s after SIGKILL");
    }

    /** The node whose claim sent (or is sending) the DFT with this MSH-10. */
    private String claimedByOf(String ledger, String controlId) {
        try (Connection c = ledgerConnection(ledger); java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT claimed_by FROM outbox WHERE control_id = ?")) {
            ps.setString(1, controlId);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits up to 20 s for {@code node} to hold a live claim on an undelivered DFT. */
    private boolean waitForClaims(String ledger, String node) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!claimedBy(ledger, node).isEmpty()) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /** Outbox rows {@code node} has claimed and not yet delivered, its lease still running. */
    private List<Long> claimedBy(String ledger, String node) throws java.sql.SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection c = ledgerConnection(ledger); java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM outbox WHERE status = 'PENDING' AND claimed_by = ? AND claimed_until > ?")) {
            ps.setString(1, node);
            ps.setTimestamp(2, java.sql.Timestamp.from(java.time.Instant.now()));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    /** Watches the killed node's claimed rows from the kill until every one of them is DELIVERED. */
    private final class Takeover {
        final List<Long> claimed;
        private final long killed = System.nanoTime();
        private final Thread watcher;
        private volatile boolean restarting;
        volatile long deliveredAfterMillis = -1;
        volatile Set<String> carriers = Set.of();
        volatile boolean beforeRestart;
        private volatile Throwable failure;

        Takeover(String ledger, List<Long> claimed) {
            this.claimed = List.copyOf(claimed);
            this.watcher = new Thread(() -> watch(ledger), "takeover-watch");
            watcher.setDaemon(true);
            watcher.start();
        }

        void nodeRestarting() {
            restarting = true;
        }

        private void watch(String ledger) {
            long deadline = killed + TimeUnit.SECONDS.toNanos(90);
            try (Connection c = ledgerConnection(ledger); java.sql.PreparedStatement ps = c.prepareStatement(
                    "SELECT status, claimed_by FROM outbox WHERE id = ANY (?)")) {
                ps.setArray(1, c.createArrayOf("bigint", claimed.toArray()));
                while (System.nanoTime() < deadline && !claimed.isEmpty()) {
                    boolean wasRestarting = restarting;
                    int delivered = 0;
                    Set<String> by = new java.util.TreeSet<>();
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if ("DELIVERED".equals(rs.getString(1))) {
                                delivered++;
                                by.add(rs.getString(2));
                            }
                        }
                    }
                    if (delivered == claimed.size()) {
                        deliveredAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                        carriers = by;
                        beforeRestart = !wasRestarting;
                        return;
                    }
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        void await() throws InterruptedException {
            watcher.join(120_000);
            assertThat(failure).as("reading the outbox").isNull();
        }
    }

    // ---- the cluster script ------------------------------------------------------------------------------------

    private interface Step {
        void run() throws Exception;
    }

    private final List<Throwable> backgroundFailures = new CopyOnWriteArrayList<>();

    private Thread background(Step step) {
        Thread t = new Thread(() -> {
            try {
                step.run();
            } catch (Exception | AssertionError e) {
                backgroundFailures.add(e);
            }
        });
        t.start();
        return t;
    }

    private void join(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join(120_000);
        }
        threads.clear();
        assertThat(backgroundFailures).as("node restarts").isEmpty();
    }

    // ---- the LIS -----------------------------------------------------------------------------------------------

    /**
     * One connection; a message without AA within 3 s (or on a broken connection) is sent again on a new one. Also used
     * by {@link SingleSenderFailoverIT} and {@link PostgresOutageIT}.
     */
    static final class Lis {
        private final int port;
        private Socket socket;
        int sent;
        int resends;
        long longestGapMillis;
        /** Every AR answered, as MSA-1 and ERR-3 ("AR 207"): what the engine says when it could not commit. */
        final List<String> rejections = new ArrayList<>();
        /** Messages answered AA, in order, by MSH-10. */
        final List<String> accepted = new ArrayList<>();
        private long lastAck = System.nanoTime();
        private String last = "";

        /** Resends of one message before the test gives up (each after a pause of 50–100 ms). */
        private final int maxAttempts;

        Lis(int port) {
            this(port, 200);
        }

        Lis(int port, int maxAttempts) {
            this.maxAttempts = maxAttempts;
            this.port = port;
        }

        void send(String message) throws InterruptedException {
            byte[] frame = (VT + message + FS + "\r").getBytes(StandardCharsets.UTF_8);
            for (int attempt = 0; ; attempt++) {
                if (attempt > 0) {
                    resends++;
                }
                if (attempt > maxAttempts) {
                    throw new AssertionError("no AA after " + maxAttempts + " attempts, after " + sent + " answers;"
                            + " last: " + last);
                }
                try {
                    if (socket == null) {
                        socket = new Socket();
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                        socket.setSoTimeout(3_000);
                    }
                    OutputStream out = socket.getOutputStream();
                    out.write(frame);
                    out.flush();
                    String ack = readFrame(socket.getInputStream());
                    sent++;
                    last = ack == null ? "connection closed" : ack.replace('\r', '/');
                    if (ack != null && ack.contains("\rMSA|AA|")) {
                        accepted.add(message.split("\\|", 11)[9]);
                        long now = System.nanoTime();
                        longestGapMillis = Math.max(longestGapMillis, TimeUnit.NANOSECONDS.toMillis(now - lastAck));
                        lastAck = now;
                        return;
                    }
                    if (ack == null) {
                        reset();
                        // As a LIS does: a moment before reconnecting (HAProxy closes at once while no node is up).
                        Thread.sleep(100);
                    } else {
                        rejections.add(answerCode(ack));
                        Thread.sleep(50); // AR (the ledger could not commit): the LIS waits a moment and resends
                    }
                } catch (IOException e) {
                    last = e.toString();
                    reset();
                    Thread.sleep(100);
                }
            }
        }

        private void reset() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // A new connection follows.
                }
                socket = null;
            }
        }

        void close() {
            reset();
        }
    }

    /** MSA-1 and ERR-3's identifier of an answer, e.g. "AR 207". */
    static String answerCode(String ack) {
        String code = "?";
        String err3 = "";
        for (String segment : ack.split("\r")) {
            String[] f = segment.split("\\|", -1);
            if (segment.startsWith("MSA|") && f.length > 1) {
                code = f[1];
            } else if (segment.startsWith("ERR|") && f.length > 3) {
                err3 = f[3].split("\\^")[0];
            }
        }
        return err3.isEmpty() ? code : code + " " + err3;
    }

    /** One MLLP frame's content, or null when the connection ended first. */
    static String readFrame(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean inFrame = false;
        int b;
        while ((b = in.read()) != -1) {
            if (b == VT) {
                inFrame = true;
                buf.reset();
            } else if (b == FS) {
                in.read();
                return buf.toString(StandardCharsets.UTF_8);
            } else if (inFrame) {
                buf.write(b);
            }
        }
        return null;
    }

    // ---- the billing system ------------------------------------------------------------------------------------

    /** ACKs every DFT after a short delay (DFTs in flight when a node dies); records MRN, FT1-2 and FT1-6 of each. */
    private static final class Billing implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        /** Changed mid-run: slower while the test wants DFTs to queue up and be claimed. */
        volatile long delayMillis;
        /** When set, the first DFT (by MSH-10) it accepts has its ACK held until {@link #release}. */
        volatile java.util.function.Predicate<String> holdIf;
        final java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        volatile String heldControlId;
        final List<String[]> received = new CopyOnWriteArrayList<>();
        private final Map<String, Set<String>> charges = new ConcurrentHashMap<>();

        Billing(Duration delay) throws IOException {
            this.delayMillis = delay.toMillis();
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
                    Thread t = new Thread(() -> serve(s), "billing-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                while (true) {
                    String dft = readFrame(s.getInputStream());
                    if (dft == null) {
                        return;
                    }
                    String mrn = "";
                    String controlId = "";
                    List<String[]> ft1s = new ArrayList<>();
                    for (String segment : dft.split("\r")) {
                        String[] f = segment.split("\\|", -1);
                        if (segment.startsWith("MSH|")) {
                            controlId = f[9];
                        } else if (segment.startsWith("PID|")) {
                            mrn = f[3].split("\\^")[0];
                        } else if (segment.startsWith("FT1|")) {
                            ft1s.add(new String[] {f[2], f[6]});
                        }
                    }
                    for (String[] ft1 : ft1s) {
                        received.add(new String[] {mrn, ft1[0], ft1[1], controlId});
                        if ("CG".equals(ft1[1])) {
                            charges.computeIfAbsent(mrn, k -> ConcurrentHashMap.newKeySet()).add(ft1[0]);
                        }
                    }
                    java.util.function.Predicate<String> hold = holdIf;
                    if (hold != null && hold.test(controlId) && holdThis(controlId)) {
                        release.await(60, TimeUnit.SECONDS); // the sender is killed meanwhile
                    } else {
                        Thread.sleep(delayMillis);
                    }
                    String ack = "MSH|^~\\&|BILLING|BILLING|IEP|LAB|20261121100000||ACK^P03^ACK|A" + controlId
                            + "|P|2.5.1\rMSA|AA|" + controlId + "\r";
                    s.getOutputStream().write((VT + ack + FS + "\r").getBytes(StandardCharsets.UTF_8));
                    s.getOutputStream().flush();
                }
            } catch (IOException | InterruptedException e) {
                // The node went away (killed): it sends again from the ledger, or another node does.
            }
        }

        private synchronized boolean holdThis(String controlId) {
            if (holdIf == null) {
                return false;
            }
            holdIf = null;
            heldControlId = controlId;
            holding.countDown();
            return true;
        }

        List<String[]> arrivalsOf(String controlId) {
            return received.stream().filter(r -> r[3].equals(controlId)).toList();
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

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    // ---- messages ----------------------------------------------------------------------------------------------

    private static String msh(String type, String id) {
        return "MSH|^~\\&|LIS|MAINLAB|IEP|MAINLAB|20261121100000||" + type + "|" + id + "|P|2.5.1\r";
    }

    private static String pid(String mrn) {
        return "PID|1||" + mrn + "^^^MAINLAB^MR||Doe^Jane||19580312|F\r";
    }

    static String order(String mrn, String id, String placer) {
        return msh("ORM^O01^ORM_O01", id) + pid(mrn) + "PV1|1|O|OUTPT^^^MAINLAB\r"
                + "IN1|1|MCR|00430^^^CMS|MEDICARE PART B\r"
                + "ORC|NW|" + placer + "^LIS||||||||||1234567890^Welby^Marcus^^^^^^NPI\r"
                + "OBR|1|" + placer + "^LIS||13169-8^Immunoelectrophoresis serum^LN|||20261120080000\r"
                + "DG1|1||D47.2^Monoclonal gammopathy^I10||||F\r";
    }

    static String result(String mrn, String id, String placer) {
        return msh("ORU^R01^ORU_R01", id) + pid(mrn)
                + "ORC|RE|" + placer + "^LIS|F" + placer + "^LAB\r"
                + "OBR|1|" + placer + "^LIS|F" + placer + "^LAB|13169-8^Immunoelectrophoresis serum^LN|||"
                + "20261120080000|||||||||1234567890^Welby^Marcus^^^^^^NPI|||||||||F\r"
                + "OBX|1|TX|13169-8^IEP^LN||IgG kappa||||||F\r";
    }

}
