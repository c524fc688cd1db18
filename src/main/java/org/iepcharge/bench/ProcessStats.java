package org.iepcharge.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** Heap (sampled by a daemon thread) and resident set size of this JVM, from {@code /proc/self/status}. */
public final class ProcessStats implements AutoCloseable {
    private final Thread sampler;
    private volatile long maxHeapUsed;
    private volatile boolean running = true;

    public ProcessStats() {
        sampler = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        long used = heapUsed();
        if (used > maxHeapUsed) {
            maxHeapUsed = used;
        }
    }

    public static long heapUsed() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    public long maxHeapUsed() {
        sample();
        return maxHeapUsed;
    }

    public void resetMax() {
        maxHeapUsed = heapUsed();
    }

    /** A {@code /proc/self/status} value in kB ("VmRSS", "VmHWM"); -1 where there is no /proc. */
    public static long procStatusKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** CPU time (user + system) this process has used, in ms, from {@code /proc/self/stat}; -1 without /proc. */
    public static long cpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of stat(5) (utime, stime) are 12 and 13 after the ')' of the command name
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Bytes allocated so far by the JVM's live threads (HotSpot's per-thread counters), or -1 without them. */
    public static long allocatedBytes() {
        if (!(java.lang.management.ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean threads) || !threads.isThreadAllocatedMemorySupported()) {
            return -1;
        }
        long sum = 0;
        for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            sum += Math.max(0, b);
        }
        return sum;
    }

    /**
     * Context switches of every thread of this JVM so far (voluntary + involuntary, /proc/self/task/N/status), or -1
     * where /proc is absent. Each thread hand-off on the message path costs at least one: per message, they count
     * hand-offs independently of how busy the machine is.
     */
    public static long contextSwitches() {
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
        if (!java.nio.file.Files.isDirectory(tasks)) {
            return -1;
        }
        long sum = 0;
        try (var dirs = java.nio.file.Files.list(tasks)) {
            for (java.nio.file.Path t : dirs.toList()) {
                try {
                    for (String line : java.nio.file.Files.readAllLines(t.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    // The thread ended while we read: its switches are lost from the count, a small error.
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return sum;
    }

    public static long jvmUptimeMillis() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
