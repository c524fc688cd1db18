package org.iepcharge.ledger;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Where an ACK's time goes, stage by stage: a debug facility for the latency bench (BENCHMARKS.md, "ACK latency by
 * stage"), off unless the JVM runs with {@code -Diep.debug.ackStages=true}. Off, every stamp site is a branch on a
 * {@code static final} false that the JIT removes, so the message path pays nothing for it. On, each stamp is one
 * {@code System.nanoTime()} and one HdrHistogram record (lock-free, no allocation once warm).
 *
 * <p>It lives in the ledger package because the writer ({@link GroupCommitter}) is the deepest of the stamping sites;
 * the netty side (frame read, reply written) and the route stamp through {@link #record}.
 */
public final class AckStages {
    /** A JVM {@code -D} setting only (README settings table): read once, when this class loads. */
    public static final String PROPERTY = "iep.debug.ackStages";
    public static final boolean ENABLED = Boolean.getBoolean(PROPERTY);

    /** The stages in the order a message passes them; values in microseconds except {@link #BATCH_SIZE}. */
    public enum Stage {
        READ_TO_PICKUP("frame decoded (netty I/O) -> route picks it up"),
        PARSE("HAPI parse + checks into records (InboundEdge.read)"),
        TO_QUEUE("parse done -> job queued for the writer (hash, partition)"),
        QUEUE_WAIT("queued -> its batch starts (writer busy with the batch before)"),
        BATCH("batch start -> commit returned (all the batch's work + commit)"),
        WAKE("commit returned -> waiting route thread runs again"),
        ACK_BUILD("route thread woke -> ACK built (meters, log line, HAPI ACK)"),
        REPLY("ACK built -> ACK handed to the socket (netty write path)"),
        TOTAL("frame decoded -> ACK handed to the socket"),
        BATCH_SIZE("messages in the batch that committed this message (count, not µs)");

        private final String what;

        Stage(String what) {
            this.what = what;
        }
    }

    private static final Map<Stage, Recorder> RECORDERS = new EnumMap<>(Stage.class);

    static {
        for (Stage s : Stage.values()) {
            RECORDERS.put(s, new Recorder(3));
        }
    }

    private AckStages() {
    }

    /** The route thread's {parsed, capture returned}: TO_QUEUE starts at the first, ACK_BUILD at the second. */
    private static final ThreadLocal<long[]> ROUTE = ThreadLocal.withInitial(() -> new long[2]);

    public static void parsed(long nanos) {
        long[] r = ROUTE.get();
        r[0] = nanos;
        r[1] = 0;
    }

    /**
     * Called by the writer's caller when it queues its job: for the first job after a parse on this thread, records
     * TO_QUEUE and returns the job's stamps {queued, batch started, committed}; else (other work) null.
     */
    static long[] queued(long nanos) {
        long[] r = ROUTE.get();
        if (r[0] == 0) {
            return null;
        }
        record(Stage.TO_QUEUE, nanos - r[0]);
        r[0] = 0;
        return new long[] {nanos, 0, 0};
    }

    /** Called by the writer's caller when its commit is seen; ACK_BUILD runs from here. */
    static void woke(long nanos) {
        ROUTE.get()[1] = nanos;
    }

    /** When the route thread's capture returned (its wake-up after the commit), or now when it did not wait. */
    public static long captured() {
        long t = ROUTE.get()[1];
        return t != 0 ? t : System.nanoTime();
    }

    public static void record(Stage stage, long nanos) {
        RECORDERS.get(stage).recordValue(stage == Stage.BATCH_SIZE ? nanos : Math.max(0, nanos / 1_000));
    }

    /** Starts a new window: what was recorded so far (start-up, warm-up) is dropped. */
    public static void reset() {
        RECORDERS.values().forEach(Recorder::reset);
    }

    /** The window since {@link #reset}: one line per stage with count, p50, p90, p99, p99.9 and max. */
    public static String table() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "   ACK stages (µs; %-18s %9s %8s %8s %8s %8s %8s)%n",
                "stage", "count", "p50", "p90", "p99", "p99.9", "max"));
        for (Stage s : Stage.values()) {
            Histogram h = RECORDERS.get(s).getIntervalHistogram();
            sb.append(String.format(Locale.ROOT, "   %-27s %9d %8d %8d %8d %8d %8d  %s%n", s.name(),
                    h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                    h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(), s.what));
        }
        return sb.toString();
    }
}
