package org.iepcharge.bench;

import java.time.Duration;

/** Drives N connections for a warm-up, then a measured window, and tells what it saw in the window. */
public interface LoadClient {

    /** What the client saw in the measured window. */
    record Window(long sent, long acked, long accepted, long notAccepted, long errors, double seconds,
                  org.HdrHistogram.Histogram latencyMicros) {
        double ackedPerSecond() {
            return acked / seconds;
        }
    }

    /**
     * Runs the load and returns the measured window.
     *
     * @param onWindowStart called once when the warm-up ends (the caller samples its counters there)
     * @param onWindowEnd   called once when the window ends, before the connections close
     */
    Window run(Duration warmup, Duration measure, Runnable onWindowStart, Runnable onWindowEnd) throws Exception;
}
