package org.iepcharge.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** CPU time per thread group (thread names with their numbers removed) between two snapshots. */
final class ThreadCpu {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private Map<Long, Long> start = new HashMap<>();

    void start() {
        start = snapshot();
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
