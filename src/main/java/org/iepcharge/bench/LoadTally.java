package org.iepcharge.bench;

import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What a load client counts: sent, answered (and of those accepted), errors, and the latency of answers in the
 * measured window. Answered and accepted change together under one lock, so a window never sees an answer counted
 * without its verdict (an unsynchronised pair once reported one AA as "not accepted").
 */
final class LoadTally {

    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(60);

    private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
    private long sent;
    private long acked;
    private long accepted;
    private long errors;
    private volatile boolean measuring;

    synchronized void sent() {
        sent++;
    }

    synchronized void error() {
        errors++;
    }

    /** An answer arrived: {@code ack[0..length)} is the ACK, {@code micros} the latency of its message. */
    void answered(byte[] ack, int length, long micros) {
        String code = EchoAck.msa1(ack, length);
        boolean ok = code.equals("AA") || code.equals("CA");
        synchronized (this) {
            acked++;
            if (ok) {
                accepted++;
            }
        }
        if (measuring) {
            recorder.recordValue(Math.min(Math.max(micros, 1), HIGHEST_MICROS));
        }
    }

    /**
     * Once every connection is ready: the warm-up, then the measured window, with the caller's hooks at its two ends
     * (the caller samples its own counters there).
     */
    LoadClient.Window measure(java.util.concurrent.CountDownLatch ready, java.time.Duration warmup,
                              java.time.Duration measure, Runnable onWindowStart, Runnable onWindowEnd)
            throws InterruptedException {
        ready.await(10, TimeUnit.SECONDS);
        Thread.sleep(warmup.toMillis());
        onWindowStart.run();
        long[] start = startWindow();
        Thread.sleep(measure.toMillis());
        LoadClient.Window window = endWindow(start);
        onWindowEnd.run();
        return window;
    }

    private synchronized long[] startWindow() {
        recorder.reset();
        measuring = true;
        return new long[] {sent, acked, accepted, errors, System.nanoTime()};
    }

    private LoadClient.Window endWindow(long[] start) {
        measuring = false;
        long t1 = System.nanoTime();
        Histogram h = recorder.getIntervalHistogram();
        synchronized (this) {
            long ack = acked - start[1];
            long acc = accepted - start[2];
            return new LoadClient.Window(sent - start[0], ack, acc, ack - acc, errors - start[3],
                    (t1 - start[4]) / 1e9, h);
        }
    }
}
