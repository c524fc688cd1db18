package org.iepcharge.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.iepcharge.billing.DftBuilder;
import org.iepcharge.billing.DftSettings;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.rules.ChargeTrigger;
import org.iepcharge.rules.RuleSet;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Two engine nodes on one PostgreSQL ledger: two {@link JdbcLedger}s with their own writers and connections, each
 * behind its own {@link ChargeCapture}. In every race one patient has two orders for the same IEP test (86320) on
 * the same day, and the two results arrive at the two nodes at the same moment. docs/decision-contract.md §5 says the
 * second is held — a duplicate order (same collection time) or, under the default {@code sameDayRepeat: HOLD}, a
 * same-day repeat (other collection time) — so exactly one of the two may be posted as a first charge, whichever
 * node wins. Without the patient lock ({@code PatientLocks}) both nodes posted in 1,096 of these 2,000 races.
 *
 * <p>Runs only where {@code IEP_TEST_PG_URL} is set (as {@code .ci/run} does): the race is PostgreSQL's; the embedded
 * database has one writer per file.
 */
class TwoNodeRaceTest {

    private static final int RACES = 2_000;
    private static final int RACERS = 4;

    @TestFactory
    Stream<DynamicTest> onPostgres() {
        String base = System.getenv("IEP_TEST_PG_URL");
        if ((base == null || base.isBlank()) && !Boolean.getBoolean("iep.test.requirePostgres")) {
            return Stream.empty();
        }
        return Stream.of(DynamicTest.dynamicTest("two nodes race one patient's duplicate and repeat orders "
                + RACES + " times: exactly one first charge per race", () -> race(base)));
    }

    private void race(String base) throws Exception {
        assertThat(base).as("IEP_TEST_PG_URL (iep.test.requirePostgres is set)").isNotBlank();
        String user = env("IEP_TEST_PG_USER", "iep");
        String password = env("IEP_TEST_PG_PASSWORD", "");
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(base, user, password); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        try (JdbcLedger nodeA = JdbcLedger.open(url, user, password);
             JdbcLedger nodeB = JdbcLedger.open(url, user, password)) {
            ChargeCapture a = capture(nodeA);
            ChargeCapture b = capture(nodeB);
            InboundEdge edge = new InboundEdge(StandardCharsets.UTF_8);
            AtomicInteger next = new AtomicInteger();
            List<int[]> charged = new ArrayList<>();
            ExecutorService racers = Executors.newFixedThreadPool(RACERS * 2);
            ExecutorService drivers = Executors.newFixedThreadPool(RACERS);
            try {
                List<Future<int[]>> runs = new ArrayList<>();
                for (int r = 0; r < RACERS; r++) {
                    runs.add(drivers.submit(() -> {
                        int[] perRace = new int[RACES];
                        CyclicBarrier start = new CyclicBarrier(2);
                        for (int i = next.getAndIncrement(); i < RACES; i = next.getAndIncrement()) {
                            int race = i;
                            String mrn = "R" + race;
                            // Even races: a duplicate order (same collection time); odd: a same-day repeat.
                            String collectedB = race % 2 == 0 ? "20261120080000" : "20261120093000";
                            send(a, edge, order(mrn, "O" + race + "A", "PA" + race));
                            send(b, edge, order(mrn, "O" + race + "B", "PB" + race));
                            Future<Outcome> onA = racers.submit(() -> {
                                start.await();
                                return send(a, edge, result(mrn, "R" + race + "A", "PA" + race, "20261120080000"));
                            });
                            Future<Outcome> onB = racers.submit(() -> {
                                start.await();
                                return send(b, edge, result(mrn, "R" + race + "B", "PB" + race, collectedB));
                            });
                            Outcome oa = onA.get(60, TimeUnit.SECONDS);
                            Outcome ob = onB.get(60, TimeUnit.SECONDS);
                            assertThat(List.of(oa.ackCode(), ob.ackCode())).as("race %d", race)
                                    .containsExactly("AA", "AA");
                            perRace[race] = (oa.disposition() == Disposition.CHARGED ? 1 : 0)
                                    + (ob.disposition() == Disposition.CHARGED ? 1 : 0);
                        }
                        return perRace;
                    }));
                }
                for (Future<int[]> run : runs) {
                    charged.add(run.get(10, TimeUnit.MINUTES));
                }
            } finally {
                racers.shutdownNow();
                drivers.shutdownNow();
            }
            int[] firstCharges = new int[RACES];
            charged.forEach(perRace -> {
                for (int i = 0; i < RACES; i++) {
                    firstCharges[i] += perRace[i];
                }
            });
            long doubled = java.util.Arrays.stream(firstCharges).filter(n -> n > 1).count();
            long none = java.util.Arrays.stream(firstCharges).filter(n -> n == 0).count();
            long outboxRows = count(url, user, password, "SELECT count(*) FROM outbox");
            System.out.printf("two-node race: %d races, %d with two first charges, %d with none, %d DFTs queued%n",
                    RACES, doubled, none, outboxRows);
            assertThat(doubled).as("races in which both nodes posted a first charge").isZero();
            assertThat(none).as("races in which neither node posted").isZero();
            assertThat(outboxRows).as("DFTs queued for billing, one per race").isEqualTo(RACES);
        } finally {
            try (Connection c = DriverManager.getConnection(base, user, password); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private static ChargeCapture capture(JdbcLedger ledger) {
        RuleSet rules = RuleSet.builtIn();
        return new ChargeCapture(ledger, new RulesLinePlanner(rules),
                new DftBuilder(new DftSettings("IEP", "LAB", "BILL", "BILLF")),
                rules.site().chargeTrigger() == ChargeTrigger.ORDER, Clock.systemUTC());
    }

    private static Outcome send(ChargeCapture capture, InboundEdge edge, String message) {
        return capture.capture(edge.read(message.getBytes(StandardCharsets.UTF_8)));
    }

    private static String msh(String type, String id) {
        return "MSH|^~\\&|LIS|MAINLAB|IEP|MAINLAB|20261121100000||" + type + "|" + id + "|P|2.5.1\r";
    }

    private static String pid(String mrn) {
        return "PID|1||" + mrn + "^^^MAINLAB^MR||Doe^Jane||19580312|F\r";
    }

    private static String order(String mrn, String id, String placer) {
        return msh("ORM^O01^ORM_O01", id) + pid(mrn) + "PV1|1|O|OUTPT^^^MAINLAB\r"
                + "IN1|1|MCR|00430^^^CMS|MEDICARE PART B\r"
                + "ORC|NW|" + placer + "^LIS||||||||||1234567890^Welby^Marcus^^^^^^NPI\r"
                + "OBR|1|" + placer + "^LIS||13169-8^Immunoelectrophoresis serum^LN|||20261120080000\r"
                + "DG1|1||D47.2^Monoclonal gammopathy^I10||||F\r";
    }

    private static String result(String mrn, String id, String placer, String collected) {
        return msh("ORU^R01^ORU_R01", id) + pid(mrn)
                + "ORC|RE|" + placer + "^LIS|F" + placer + "^LAB\r"
                + "OBR|1|" + placer + "^LIS|F" + placer + "^LAB|13169-8^Immunoelectrophoresis serum^LN|||"
                + collected + "|||||||||1234567890^Welby^Marcus^^^^^^NPI|||||||||F\r"
                + "OBX|1|TX|13169-8^IEP^LN||IgG kappa||||||F\r";
    }

    private static long count(String url, String user, String password, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }
}
