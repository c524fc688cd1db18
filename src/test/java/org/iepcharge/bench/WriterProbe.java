package org.iepcharge.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.iepcharge.billing.DftBuilder;
import org.iepcharge.billing.DftSettings;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.capture.RulesLinePlanner;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.iepcharge.edge.Inbound;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.ledger.StatementCounts;
import org.iepcharge.rules.RuleSet;

/**
 * The ledger writer's cost per message, in process (no sockets, no Camel): the bench's {@link MessageMix} (IEP ORM,
 * a CBC result, the IEP final result; several patients) parsed on caller threads and captured through the writer, as
 * the engine does. Prints the writer threads' CPU time and allocated bytes per message (ThreadMXBean, so the figure
 * stays comparable on a shared machine), statements executed and prepared per message (two warm-up runs, three
 * measured ones and their best), then the same per message kind, one message per commit from a single caller. Not a
 * test: run it with the test classpath (BENCHMARKS.md, "Writer diet").
 *
 * <p>Args: {@code [messages=20000] [threads=8] [sqlite|postgresql]}; postgresql uses {@code IEP_TEST_PG_URL},
 * {@code IEP_TEST_PG_USER}, {@code IEP_TEST_PG_PASSWORD} and a schema of its own, dropped at the end.
 */
public final class WriterProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private record Sample(long cpuNanos, long allocated, long executed, long prepared, long roundTrips,
                          long writtenBytes, long writeCalls) {
        Sample minus(Sample o) {
            return new Sample(cpuNanos - o.cpuNanos, allocated - o.allocated, executed - o.executed,
                    prepared - o.prepared, roundTrips - o.roundTrips, writtenBytes - o.writtenBytes,
                    writeCalls - o.writeCalls);
        }
    }

    /**
     * Bytes the writer threads handed to write(2) and how many such calls (Linux {@code /proc/self/task/N/io}
     * {@code wchar}, {@code syscw}; zeros elsewhere): on SQLite the WAL frames of its commits, one page each, so the
     * pages a message dirties are counted exactly, whatever the machine's load.
     */
    private static long[] writerIo() {
        long[] io = new long[2];
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return io;
        }
        try (var list = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) list::iterator) {
                try {
                    if (!Files.readString(task.resolve("comm")).startsWith("ledger-writer")) {
                        continue;
                    }
                    for (String line : Files.readAllLines(task.resolve("io"))) {
                        if (line.startsWith("wchar:")) {
                            io[0] += Long.parseLong(line.substring(6).trim());
                        } else if (line.startsWith("syscw:")) {
                            io[1] += Long.parseLong(line.substring(6).trim());
                        }
                    }
                } catch (java.io.IOException gone) {
                    // The thread ended between the listing and the read.
                }
            }
        } catch (java.io.IOException e) {
            return io;
        }
        return io;
    }

    private static Sample sample(StatementCounts counts) {
        long cpu = 0;
        long allocated = 0;
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("ledger-writer")) {
                cpu += THREADS.getThreadCpuTime(t.getThreadId());
                allocated += THREADS.getThreadAllocatedBytes(t.getThreadId());
            }
        }
        long[] io = writerIo();
        return new Sample(cpu, allocated, counts.executedCount(), counts.preparedCount(), counts.roundTripCount(),
                io[0], io[1]);
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        boolean postgres = args.length > 2 && args[2].equalsIgnoreCase("postgresql");
        Path dir = Files.createTempDirectory("iep-writer-probe");
        String schema = "writer_probe_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        String url;
        String user = "";
        String password = "";
        if (postgres) {
            String base = System.getenv("IEP_TEST_PG_URL");
            user = System.getenv("IEP_TEST_PG_USER");
            password = System.getenv("IEP_TEST_PG_PASSWORD");
            try (Connection c = DriverManager.getConnection(base, user, password); Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA " + schema);
            }
            url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        } else {
            url = JdbcLedger.sqliteFileUrl(dir);
        }
        try (JdbcLedger ledger = JdbcLedger.open(url, user, password)) {
            ChargeCapture capture = new ChargeCapture(ledger, new RulesLinePlanner(RuleSet.builtIn()),
                    new DftBuilder(new DftSettings("IEP", "LAB", "BILL", "BILLF")), false, Clock.systemUTC());
            System.out.printf("writer probe: %s, %d caller threads, %d messages per phase%n",
                    postgres ? "PostgreSQL" : "SQLite WAL", threads, messages);
            for (String phase : List.of("warm-up", "warm-up")) {
                run(phase, ledger, capture, messages, threads);
            }
            // Three measured runs and their minimum: other work on a shared machine only ever adds to the figures.
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
            for (int i = 1; i <= 3; i++) {
                double[] r = run("measured", ledger, capture, messages, threads);
                for (int k = 0; k < best.length; k++) {
                    best[k] = Math.min(best[k], r[k]);
                }
            }
            System.out.printf("best of 3: writer %.0f us CPU/msg, %.1f KB allocated/msg, %.2f statements/msg%n",
                    best[0], best[1], best[2]);
            perKind(ledger, capture, 3 * 200);
        } finally {
            if (postgres) {
                try (Connection c = DriverManager.getConnection(System.getenv("IEP_TEST_PG_URL"), user, password);
                     Statement st = c.createStatement()) {
                    st.execute("DROP SCHEMA " + schema + " CASCADE");
                }
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static final AtomicInteger RUNS = new AtomicInteger();

    private static String runTag() {
        return MessageMix.newRunTag().substring(0, 3) + RUNS.incrementAndGet();
    }

    /** Runs one phase and returns writer µs CPU, KB allocated and statements, per message. */
    private static double[] run(String phase, JdbcLedger ledger, ChargeCapture capture, int messages, int threads)
            throws InterruptedException {
        AtomicInteger left = new AtomicInteger(messages);
        AtomicInteger charged = new AtomicInteger();
        String tag = runTag();
        List<Thread> workers = new ArrayList<>();
        Sample before = sample(ledger.writerStatements());
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            MessageMix mix = new MessageMix(tag, t, 1);
            InboundEdge edge = new InboundEdge(StandardCharsets.UTF_8);
            Thread w = new Thread(() -> {
                while (left.getAndDecrement() > 0) {
                    Outcome o = capture.capture(edge.read(mix.next().payload()));
                    if (o.disposition() == Disposition.CHARGED) {
                        charged.incrementAndGet();
                    }
                }
            }, "probe-caller-" + t);
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Sample d = sample(ledger.writerStatements()).minus(before);
        System.out.printf("%-8s writer %.0f us CPU/msg, %.1f KB allocated/msg, %.2f statements/msg, %.2f round"
                        + " trips/msg, %d prepared; %.2f KB written/msg in %.2f write calls; %d charged; %.0f msg/s"
                        + " (wall, shared machine)%n", phase,
                d.cpuNanos() / 1e3 / messages, d.allocated() / 1024.0 / messages,
                (double) d.executed() / messages, (double) d.roundTrips() / messages, d.prepared(),
                d.writtenBytes() / 1024.0 / messages, (double) d.writeCalls() / messages, charged.get(),
                messages / seconds);
        return new double[] {d.cpuNanos() / 1e3 / messages, d.allocated() / 1024.0 / messages,
                (double) d.executed() / messages};
    }

    /** One caller, one message per commit: statements per kind (including BEGIN and COMMIT of its own batch). */
    private static void perKind(JdbcLedger ledger, ChargeCapture capture, int messages) {
        MessageMix mix = new MessageMix(runTag(), 0, 1);
        InboundEdge edge = new InboundEdge(StandardCharsets.UTF_8);
        Map<MessageMix.Kind, long[]> byKind = new EnumMap<>(MessageMix.Kind.class);
        for (int i = 0; i < messages; i++) {
            MessageMix.Message m = mix.next();
            Inbound in = edge.read(m.payload());
            Sample before = sample(ledger.writerStatements());
            capture.capture(in);
            Sample d = sample(ledger.writerStatements()).minus(before);
            long[] sum = byKind.computeIfAbsent(m.kind(), k -> new long[6]);
            sum[0]++;
            sum[1] += d.executed();
            sum[2] += d.cpuNanos();
            sum[3] += d.allocated();
            sum[4] += d.roundTrips();
            sum[5] += d.writtenBytes();
        }
        byKind.forEach((kind, s) -> System.out.printf("one caller, %-12s %.1f statements/msg, %.1f round trips/msg,"
                        + " writer %.0f us CPU, %.1f KB allocated/msg, %.1f KB written/msg (%d messages)%n", kind,
                (double) s[1] / s[0], (double) s[4] / s[0], s[2] / 1e3 / s[0], s[3] / 1024.0 / s[0],
                s[5] / 1024.0 / s[0], s[0]));
    }
}
