package org.iepcharge.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time, and bytes allocated, per thread group (thread names with their numbers removed) between two snapshots.
 */
final class ThreadCpu {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private Map<Long, Long> start = new HashMap<>();
    private Map<Long, Long> startAllocated = new HashMap<>();
    private Map<Long, Long> endCpu = new HashMap<>();
    private Map<Long, Long> endAllocated = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();

    void start() {
        start = snapshot();
        startAllocated = allocatedSnapshot();
    }

    /** The window's end, for {@link #perMessage}. */
    void stop() {
        endCpu = snapshot();
        endAllocated = allocatedSnapshot();
        for (long id : endCpu.keySet()) {
            ThreadInfo info = threads.getThreadInfo(id);
            if (info != null) {
                names.put(id, info.getThreadName().replaceAll("\\d+", "#"));
            }
        }
    }

    /**
     * Per acked message between {@link #start} and {@link #stop}, for the {@code top} groups with the most CPU:
     * "group µs CPU / KB allocated". Threads that ended inside the window are missing (as in {@link #since}).
     */
    String perMessage(long acked, int top) {
        Map<String, long[]> groups = new HashMap<>();
        for (Map.Entry<Long, Long> e : endCpu.entrySet()) {
            String name = names.get(e.getKey());
            if (name == null || acked <= 0) {
                continue;
            }
            long[] g = groups.computeIfAbsent(name, k -> new long[2]);
            g[0] += e.getValue() - start.getOrDefault(e.getKey(), 0L);
            Long bytes = endAllocated.get(e.getKey());
            if (bytes != null) {
                g[1] += bytes - startAllocated.getOrDefault(e.getKey(), 0L);
            }
        }
        return groups.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(top)
                .map(e -> String.format(java.util.Locale.ROOT, "%s %.0f us / %.1f KB", e.getKey(),
                        e.getValue()[0] / 1e3 / acked, e.getValue()[1] / 1024.0 / acked))
                .collect(Collectors.joining("; "));
    }

    private Map<Long, Long> allocatedSnapshot() {
        Map<Long, Long> m = new HashMap<>();
        if (threads instanceof com.sun.management.ThreadMXBean sun && sun.isThreadAllocatedMemoryEnabled()) {
            for (long id : threads.getAllThreadIds()) {
                long b = sun.getThreadAllocatedBytes(id);
                if (b >= 0) {
                    m.put(id, b);
                }
            }
        }
        return m;
    }

    /** Group name to cores busy over {@code seconds}, busiest first, at most {@code top} groups. */
    Map<String, Double> since(double seconds, int top) {
        Map<String, Double> busy = new HashMap<>();
        Map<Long, Long> now = snapshot();
        for (Map.Entry<Long, Long> e : now.entrySet()) {
            ThreadInfo info = threads.getThreadInfo(e.getKey());
            if (info == null) {
                continue;
            }
            String group = info.getThreadName().replaceAll("\\d+", "#");
            long delta = e.getValue() - start.getOrDefault(e.getKey(), 0L);
            busy.merge(group, delta / 1e9 / seconds, Double::sum);
        }
        return busy.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(top)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /** CPU nanoseconds since {@link #start} of the live threads whose name contains {@code part}. */
    long nanosSince(String part) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : snapshot().entrySet()) {
            ThreadInfo info = threads.getThreadInfo(e.getKey());
            if (info != null && info.getThreadName().contains(part)) {
                sum += e.getValue() - start.getOrDefault(e.getKey(), 0L);
            }
        }
        return sum;
    }

    private Map<Long, Long> snapshot() {
        Map<Long, Long> m = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long t = threads.getThreadCpuTime(id);
            if (t >= 0) {
                m.put(id, t);
            }
        }
        return m;
    }
}
