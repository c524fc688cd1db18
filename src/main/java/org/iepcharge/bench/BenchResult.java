package org.iepcharge.bench;

import java.io.PrintWriter;
import java.util.Locale;

import org.HdrHistogram.Histogram;

/** One target's figures, and how they print. */
public record BenchResult(String target, String client, int connections, double rate, LoadClient.Window window,
                          long dftsDelivered, long outboxStart, long outboxEnd, double drainSeconds,
                          long maxHeapBytes, long rssKb, long hwmKb, long cpuMillis) {

    public double inPerSecond() {
        return window.ackedPerSecond();
    }

    public double dftPerSecond() {
        return dftsDelivered / window.seconds();
    }

    public double percentileMillis(double p) {
        return window.latencyMicros().getValueAtPercentile(p) / 1000.0;
    }

    public void print(PrintWriter out) {
        LoadClient.Window w = window;
        Histogram h = w.latencyMicros();
        out.println(String.format(Locale.ROOT, "== %s  (client %s, %d connection(s), %s, window %.1f s)", target,
                client, connections, rate > 0 ? String.format(Locale.ROOT, "open loop %.0f msg/s offered", rate)
                        : "closed loop", w.seconds()));
        out.println(String.format(Locale.ROOT, "   in : %,.0f msg/s acked (%d acked, %d AA/CA, %d other, %d sent,"
                + " %d errors)", inPerSecond(), w.acked(), w.accepted(), w.notAccepted(), w.sent(), w.errors()));
        if (outboxStart >= 0) {
            out.println(String.format(Locale.ROOT, "   out: %,.0f DFT/s delivered to billing (%d in window);"
                            + " outbox undelivered %d at window start, %d at end; %s", dftPerSecond(), dftsDelivered,
                    outboxStart, outboxEnd, drainSeconds < 0 ? "did not drain"
                            : String.format(Locale.ROOT, "drained %.1f s after the load stopped", drainSeconds)));
        }
        out.println(String.format(Locale.ROOT, "   ACK latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f"
                        + "  max %.3f  (n=%d)", percentileMillis(50), percentileMillis(90), percentileMillis(99),
                percentileMillis(99.9), h.getMaxValue() / 1000.0, h.getTotalCount()));
        out.println(String.format(Locale.ROOT, "   memory: heap used max %d MB, RSS %d MB (VmHWM %d MB);"
                        + " CPU %.2f cores busy in this JVM (client and target), %.0f us CPU per acked message",
                maxHeapBytes >> 20, rssKb >> 10, hwmKb >> 10, cpuMillis / 1000.0 / w.seconds(),
                w.acked() == 0 ? 0.0 : cpuMillis * 1000.0 / w.acked()));
        out.flush();
    }
}
