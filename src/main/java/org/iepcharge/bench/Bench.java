package org.iepcharge.bench;

import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.iepcharge.camel.Engine;
import org.iepcharge.config.EngineSettings;

/**
 * Runs the bench: optionally the two bare-transport baselines, then the target, all with the same generator and
 * connection count in this JVM, and prints each result and the target's ratios to the baselines.
 */
public final class Bench {
    public static final String ENGINE = "engine";
    public static final String NETTY_ECHO = "netty-echo";
    public static final String MLLP_ECHO = "mllp-echo";
    public static final String DURABLE_ECHO = "durable-echo";
    public static final String EXTERNAL = "external";

    private final BenchOptions options;
    private final PrintWriter out;
    private final ProcessStats stats = new ProcessStats();
    /** The ACK stages of the last window (-Diep.debug.ackStages=true), taken when the window ends. */
    private String stagesTable = "";

    public Bench(BenchOptions options, PrintWriter out) {
        this.options = options;
        this.out = out;
    }

    /** Every result printed, in order: baselines first when asked for, the target last. */
    public List<BenchResult> run() throws Exception {
        try {
            List<BenchResult> results = new ArrayList<>();
            BenchResult netty = null;
            BenchResult mllp = null;
            if (options.baselines() && !options.target().equals(NETTY_ECHO)) {
                netty = runOne(NETTY_ECHO);
                results.add(netty);
            }
            if (options.baselines() && !options.target().equals(MLLP_ECHO)) {
                if (options.rate() > 0) {
                    out.println("== mllp-echo skipped: open loop pipelines, and the camel-mllp 4.17.0 consumer drops"
                            + " pipelined frames (CAMEL-24668)");
                } else {
                    mllp = runOne(MLLP_ECHO);
                    results.add(mllp);
                }
            }
            BenchResult durable = null;
            if (options.baselines() && !options.target().equals(DURABLE_ECHO)) {
                durable = runOne(DURABLE_ECHO);
                results.add(durable);
            }
            BenchResult target = runOne(options.target());
            results.add(target);
            ratio(target, netty);
            ratio(target, mllp);
            ratio(target, durable);
            out.flush();
            return results;
        } finally {
            stats.close();
        }
    }

    private void ratio(BenchResult target, BenchResult base) {
        if (base == null) {
            return;
        }
        out.println(String.format(Locale.ROOT, "   ratio %s / %s: throughput %.2f (%,.0f / %,.0f msg/s);"
                        + " p50 x%.1f, p99 x%.1f", target.target(), base.target(),
                target.inPerSecond() / base.inPerSecond(), target.inPerSecond(), base.inPerSecond(),
                target.percentileMillis(50) / base.percentileMillis(50),
                target.percentileMillis(99) / base.percentileMillis(99)));
    }

    private BenchResult runOne(String target) throws Exception {
        System.gc();
        stats.resetMax();
        String host = options.host();
        return switch (target) {
            case NETTY_ECHO, MLLP_ECHO -> {
                int port = options.port() > 0 && target.equals(options.target()) ? options.port() : freePort();
                try (EchoServer server = EchoServer.start(target.equals(NETTY_ECHO) ? EchoServer.Kind.NETTY
                        : EchoServer.Kind.MLLP, host, port)) {
                    yield load(target, host, port, null, null);
                }
            }
            case DURABLE_ECHO -> {
                int port = options.port() > 0 && target.equals(options.target()) ? options.port() : freePort();
                Path dir = Files.createTempDirectory("iep-bench-durable-echo-");
                try (DurableEcho server = DurableEcho.start(host, port, dir)) {
                    yield load(target, host, port, null, null);
                } finally {
                    try (var files = Files.list(dir)) {
                        for (Path f : files.toList()) {
                            Files.deleteIfExists(f);
                        }
                    }
                    Files.deleteIfExists(dir);
                }
            }
            case ENGINE -> runEngine(host);
            case EXTERNAL -> {
                if (options.billingPort() > 0) {
                    try (EchoServer billing = EchoServer.start(EchoServer.Kind.NETTY, host, options.billingPort())) {
                        yield load(target + " " + host + ":" + options.port(), host, options.port(), billing, null);
                    }
                }
                yield load(target + " " + host + ":" + options.port(), host, options.port(), null, null);
            }
            default -> throw new IllegalArgumentException("unknown target " + target);
        };
    }

    private BenchResult runEngine(String host) throws Exception {
        int port = options.port() > 0 ? options.port() : freePort();
        int billingPort = options.billingPort() > 0 ? options.billingPort() : freePort();
        Path dataDir = options.dataDir() != null ? options.dataDir() : Files.createTempDirectory("iep-bench-");
        Map<String, String> props = new LinkedHashMap<>();
        System.getProperties().forEach((k, v) -> props.put(String.valueOf(k), String.valueOf(v)));
        props.put("iep.dataDir", dataDir.toString());
        if (options.routes() != null) {
            props.putIfAbsent("iep.routes", options.routes().toString());
        }
        props.put("iep.inbound.host", host);
        props.put("iep.inbound.port", String.valueOf(port));
        props.put("iep.billing.mode", EngineSettings.MODE_MLLP);
        props.put("iep.billing.host", host);
        props.put("iep.billing.port", String.valueOf(billingPort));
        if (options.holdBilling()) {
            // The held DFTs wait for their ACK through the whole window: not a timeout (a resend after backoff).
            props.putIfAbsent("iep.billing.timeoutMillis", "600000");
        }
        try (EchoServer billing = EchoServer.start(EchoServer.Kind.NETTY, host, billingPort)) {
            long t0 = System.nanoTime();
            try (Engine engine = Engine.start(EngineSettings.resolve(props, System.getenv()))) {
                long startMs = (System.nanoTime() - t0) / 1_000_000;
                out.println(String.format(Locale.ROOT, "== engine start-up: listening %d ms after Engine.start"
                                + " (JVM uptime %d ms); ledger %s", startMs, ProcessStats.jvmUptimeMillis(),
                        engine.settings().ledgerUrl().replaceAll("\\?.*", "") + " (durability "
                                + engine.settings().ledgerDurability().settingValue() + ")"));
                out.flush();
                return load(ENGINE, host, port, billing, engine);
            }
        }
    }

    private BenchResult load(String name, String host, int port, EchoServer billing, Engine engine)
            throws Exception {
        if (!options.prewarm().isZero()) {
            LoadClient.Window w = new SocketLoadClient(host, port, options.connections(), 0, MessageMix.newRunTag(),
                    options.nonIepPerOrder()).run(Duration.ZERO, options.prewarm(), () -> { }, () -> { });
            out.println(String.format(Locale.ROOT, "   prewarm (closed loop, %.0f s): %,.0f msg/s, not reported below",
                    w.seconds(), w.ackedPerSecond()));
            out.flush();
        }
        LoadClient client = options.client().equals("camel-mllp")
                ? new CamelMllpLoadClient(host, port, options.connections(), MessageMix.newRunTag(),
                        options.nonIepPerOrder())
                : new SocketLoadClient(host, port, options.connections(), options.rate(), MessageMix.newRunTag(),
                        options.nonIepPerOrder());
        long[] billingCount = new long[2];
        long[] outbox = {-1, -1};
        long[] cpu = new long[2];
        long[] switches = new long[2];
        long[] allocated = new long[2];
        ThreadCpu threadCpu = new ThreadCpu();
        // {set, billing-outbox route threads, outbox-answers, billing stand-in} CPU ns over the window.
        long[] outboxCpu = {-1, 0, 0, 0};
        java.util.Map<String, Double> busiest = new java.util.LinkedHashMap<>();
        LoadClient.Window w = client.run(options.warmup(), options.measure(), () -> {
            if (engine != null && billing != null && options.holdBilling()) {
                billing.hold();
            }
            billingCount[0] = billing == null ? 0 : billing.received();
            outbox[0] = engine == null ? -1 : engine.ledger().undelivered().size();
            stats.resetMax();
            if (org.iepcharge.ledger.AckStages.ENABLED) {
                org.iepcharge.ledger.AckStages.reset();
            }
            cpu[0] = ProcessStats.cpuMillis();
            switches[0] = ProcessStats.contextSwitches();
            allocated[0] = ProcessStats.allocatedBytes();
            threadCpu.start();
        }, () -> {
            cpu[1] = ProcessStats.cpuMillis();
            switches[1] = ProcessStats.contextSwitches();
            allocated[1] = ProcessStats.allocatedBytes();
            if (org.iepcharge.ledger.AckStages.ENABLED) {
                stagesTable = org.iepcharge.ledger.AckStages.table();
            }
            busiest.putAll(threadCpu.since(options.measure().toMillis() / 1000.0, 6));
            threadCpu.stop();
            if (engine != null && billing != null) {
                outboxCpu[0] = 0;
                outboxCpu[1] = threadCpu.nanosSince(OUTBOX_THREADS);
                outboxCpu[2] = threadCpu.nanosSince(ANSWER_THREAD);
                outboxCpu[3] = threadCpu.nanosSince(EchoServer.WORKER_THREADS);
            }
            billingCount[1] = billing == null ? 0 : billing.received();
            outbox[1] = engine == null ? -1 : engine.ledger().undelivered().size();
        });
        long maxHeap = stats.maxHeapUsed();
        long rss = ProcessStats.procStatusKb("VmRSS");
        long hwm = ProcessStats.procStatusKb("VmHWM");
        double drain = -1;
        long heldBacklog = -1;
        long answeredBefore = billing == null ? 0 : billing.received();
        // Over the drain of a held backlog: delivery alone, no inbound load on the same cores.
        HeldDrainCpu drainCpu = new HeldDrainCpu(new ThreadCpu(), new long[4]);
        if (engine != null && billing != null && options.holdBilling()) {
            heldBacklog = engine.ledger().undelivered().size();
            drainCpu.threads.start();
            billing.release();
        }
        if (engine != null) {
            long t0 = System.nanoTime();
            long deadline = t0 + options.drain().toNanos();
            while (System.nanoTime() < deadline) {
                if (engine.ledger().undelivered().isEmpty()) {
                    drain = (System.nanoTime() - t0) / 1e9;
                    break;
                }
                Thread.sleep(50);
            }
        }
        BenchResult r = new BenchResult(name, options.client(), options.connections(), options.rate(), w,
                billingCount[1] - billingCount[0], outbox[0], outbox[1], drain, maxHeap, rss, hwm, cpu[1] - cpu[0]);
        r.print(out);
        if (switches[0] >= 0 && w.acked() > 0) {
            out.println(String.format(Locale.ROOT, "   context switches: %.2f per acked message (all threads of this"
                    + " JVM, client included)", (switches[1] - switches[0]) / (double) w.acked()));
        }
        if (allocated[0] >= 0 && w.acked() > 0) {
            // Threads that ended inside the window are missing from the second sum: a slight undercount.
            out.println(String.format(Locale.ROOT, "   allocated: %.0f KB per acked message (live threads of this JVM,"
                    + " client included)", (allocated[1] - allocated[0]) / 1024.0 / w.acked()));
        }
        if (org.iepcharge.ledger.AckStages.ENABLED && engine != null) {
            out.print(stagesTable);
        }
        if (outboxCpu[0] >= 0 && billingCount[1] > billingCount[0]) {
            out.println(perDft("   outbox CPU per DFT delivered in the window", outboxCpu,
                    billingCount[1] - billingCount[0]));
        }
        if (heldBacklog >= 0) {
            long answered = billing.received() - answeredBefore;
            if (drain > 0 && answered > 0) {
                drainCpu.outbox[1] = drainCpu.threads.nanosSince(OUTBOX_THREADS);
                drainCpu.outbox[2] = drainCpu.threads.nanosSince(ANSWER_THREAD);
                drainCpu.outbox[3] = drainCpu.threads.nanosSince(EchoServer.WORKER_THREADS);
                drainCpu.outbox[0] = 0;
                out.println(perDft("   outbox CPU per DFT in the drain", drainCpu.outbox, answered));
            }
            out.println(String.format(Locale.ROOT, "   held billing: %d DFTs undelivered when billing answered again;"
                    + " %d answered %s", heldBacklog, answered, drain <= 0 ? "(did not drain)"
                    : String.format(Locale.ROOT, "in %.2f s: %,.0f DFT/s delivery alone", drain, answered / drain)));
        }
        out.println("   busiest threads (cores): " + busiest.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining("; ")));
        out.println("   per acked message by thread group (CPU / allocated): " + threadCpu.perMessage(w.acked(), 6));
        out.flush();
        return r;
    }

    /** The engine's outbound route threads (one per billing connection) and its answer recorder. */
    private static final String OUTBOX_THREADS = "scheduler://billing-outbox-";
    private static final String ANSWER_THREAD = "outbox-answers";

    private record HeldDrainCpu(ThreadCpu threads, long[] outbox) {
    }

    /**
     * Thread CPU per DFT, where the outbox's cost is: the route threads (claim, build, send, billing's answer), the
     * thread committing the answers (on SQLite its statements run on the ledger writer, not counted here), and the
     * bench's billing stand-in (in this JVM: it counts in the CPU per acked message).
     */
    private static String perDft(String what, long[] nanos, long dfts) {
        return String.format(Locale.ROOT, "%s: billing-outbox route thread(s) %.0f us, outbox-answers %.0f us;"
                + " billing stand-in %.0f us (%d DFTs)", what, nanos[1] / 1e3 / dfts, nanos[2] / 1e3 / dfts,
                nanos[3] / 1e3 / dfts, dfts);
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** For tests and the command: a {@link Duration} from seconds with a fraction. */
    public static Duration seconds(double s) {
        return Duration.ofMillis((long) (s * 1000));
    }
}
