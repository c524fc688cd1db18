package org.iepcharge.bench.jmh;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.iepcharge.bench.MessageMix;
import org.iepcharge.billing.DftBuilder;
import org.iepcharge.billing.DftSettings;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.capture.RulesLinePlanner;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.rules.RuleSet;

/**
 * Process CPU per captured message (parse + capture + durable commit), without sockets: unlike wall-clock figures it
 * stays comparable when other work shares the machine. Args: threads (default 8), messages (default 20000).
 * Run like the JMH benchmarks (BENCHMARKS.md), main class {@code org.iepcharge.bench.jmh.CaptureCpuProbe}.
 */
public final class CaptureCpuProbe {
    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU time of the ledger's writer threads so far. */
    private static long writerCpu() {
        long sum = 0;
        for (java.lang.management.ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("ledger-writer")) {
                sum += THREADS.getThreadCpuTime(t.getThreadId());
            }
        }
        return sum;
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        Path dir = Files.createTempDirectory("iep-capture-probe");
        JdbcLedger ledger = JdbcLedger.open(JdbcLedger.sqliteFileUrl(dir), "", "");
        ChargeCapture capture = new ChargeCapture(ledger, new RulesLinePlanner(RuleSet.builtIn()),
                new DftBuilder(new DftSettings("IEP", "LAB", "BILL", "BILLF")), false, Clock.systemUTC());
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (String phase : List.of("warm-up", "measured")) {
            AtomicInteger left = new AtomicInteger(messages);
            java.util.concurrent.atomic.AtomicLong workerCpu = new java.util.concurrent.atomic.AtomicLong();
            long writers0 = writerCpu();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                MessageMix mix = new MessageMix("P" + phase.charAt(0) + System.nanoTime() % 100_000, t, 1);
                InboundEdge edge = new InboundEdge(StandardCharsets.UTF_8);
                Thread w = new Thread(() -> {
                    long own0 = THREADS.getCurrentThreadCpuTime();
                    while (left.getAndDecrement() > 0) {
                        capture.capture(edge.read(mix.next().payload()));
                    }
                    workerCpu.addAndGet(THREADS.getCurrentThreadCpuTime() - own0);
                });
                w.start();
                workers.add(w);
            }
            for (Thread w : workers) {
                w.join();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpuMicros = (os.getProcessCpuTime() - cpu0) / 1e3 / messages;
            double parseMicros = workerCpu.get() / 1e3 / messages;
            double writerMicros = (writerCpu() - writers0) / 1e3 / messages;
            System.out.printf("%s: %d messages, %d threads: %.0f msg/s, %.0f us CPU per message (process), callers"
                            + " (parse, wait) %.0f us + ledger writers (capture, commit) %.0f us; ledger %.1f MB%n",
                    phase, messages, threads, messages / seconds, cpuMicros, parseMicros, writerMicros,
                    Files.size(dir.resolve("ledger.db")) / 1e6);
        }
        ledger.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
