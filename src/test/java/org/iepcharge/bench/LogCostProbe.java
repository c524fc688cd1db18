package org.iepcharge.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import org.iepcharge.logging.EngineLogging;
import org.iepcharge.logging.PreviousLogging;

/**
 * CPU per log line of the engine's console logging, the line shaped like LisInbound's, at the bench's rate: 8 logging
 * threads together logging {@code rate} lines a second, each paced, for {@code seconds}; CPU of the logging threads
 * (timed around each call, less the same timing around no call) and of the writer thread, per line ({@code ThreadMXBean}, so the figures stay
 * comparable on a loaded machine). Variants, alternated per round: {@code before} (logback's AsyncAppender in front of
 * its ConsoleAppender with {@code %d{HH:mm:ss.SSS}}, the configuration until perf-route3) and {@code engine}
 * (EngineLogging as shipped). Run with stderr to a file: {@code java -cp … org.iepcharge.bench.LogCostProbe 4400 10 3
 * 2>/tmp/log.txt}.
 */
public final class LogCostProbe {
    private static final int THREADS = 8;

    private LogCostProbe() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 4400;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        for (int round = 0; round <= rounds; round++) { // round 0 warms up
            double pacing = run(null, rate, seconds).producerNanos;
            for (String variant : List.of("before", "engine")) {
                LoggerContext context = variant.equals("before") ? PreviousLogging.start(null) : engine();
                Result r = run(context, rate, seconds);
                long writer = writerCpu();
                context.stop();
                if (round > 0) {
                    System.out.printf("round %d %-6s lines %d: logging threads %.2f µs/line, writer %.2f µs/line,"
                                    + " total %.2f µs/line (load %s)%n", round, variant, r.lines,
                            (r.producerNanos - pacing) / 1000.0 / r.lines, writer / 1000.0 / r.lines,
                            (r.producerNanos - pacing + writer) / 1000.0 / r.lines, load());
                }
            }
        }
    }

    private record Result(long lines, double producerNanos) {
    }

    private static Result run(LoggerContext context, int rate, int seconds) throws InterruptedException {
        long perThreadInterval = TimeUnit.SECONDS.toNanos(1) * THREADS / rate;
        int linesPerThread = rate * seconds / THREADS;
        long[] cpu = new long[THREADS];
        CountDownLatch done = new CountDownLatch(THREADS);
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                Logger log = context == null ? null : context.getLogger("org.iepcharge.camel.LisInbound");
                var mx = ManagementFactory.getThreadMXBean();
                long inCalls = 0;
                long next = System.nanoTime();
                for (int i = 0; i < linesPerThread; i++) {
                    String id = "4XMR" + thread + "X" + i + "R";
                    long before = mx.getCurrentThreadCpuTime();
                    if (log != null) {
                        log.info("{} {} -> {} {}{}", id, "ORU^R01", "AA", "CHARGED", "");
                    }
                    inCalls += mx.getCurrentThreadCpuTime() - before;
                    next += perThreadInterval;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                cpu[thread] = inCalls;
                done.countDown();
            }, "Camel Thread #" + (t + 6) + " - NettyServerTCPWorker");
            th.start();
        }
        done.await();
        long sum = 0;
        for (long c : cpu) {
            sum += c;
        }
        return new Result((long) linesPerThread * THREADS, sum);
    }

    /** CPU so far of the writer thread (before stop: its final drain is not part of the steady state). */
    private static long writerCpu() {
        var mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("AsyncAppender-Worker") || t.getName().startsWith("log-writer")) {
                sum += mx.getThreadCpuTime(t.getId());
            }
        }
        return sum;
    }

    private static LoggerContext engine() {
        LoggerContext context = PreviousLogging.newContext();
        EngineLogging logging = new EngineLogging();
        logging.setContext(context);
        if (logging.configure(context) != Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY) {
            throw new IllegalStateException("-Dlogback.configurationFile is set");
        }
        return context;
    }

    private static String load() {
        return String.format("%.1f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
