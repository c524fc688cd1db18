package org.iepcharge.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;


/**
 * N plain JDK sockets speaking MLLP. Closed loop: each connection writes one frame and reads its ACK before the next.
 * Open loop: each connection sends at {@code rate / N} per second on a fixed schedule whatever the answers do
 * (pipelining; ACKs are matched in order on a reader thread), and latency is measured from the <em>scheduled</em>
 * send time, so a stalled server shows up in the percentiles instead of slowing the generator (no coordinated
 * omission).
 */
public final class SocketLoadClient implements LoadClient {
    private static final byte VT = 0x0b;
    private static final byte FS = 0x1c;
    private static final byte CR = 0x0d;

    private final String host;
    private final int port;
    private final int connections;
    private final double rate; // <= 0: closed loop
    private final String runTag;
    private final int nonIepPerOrder;

    private final LoadTally tally = new LoadTally();
    private volatile boolean stop;

    public SocketLoadClient(String host, int port, int connections, double rate, String runTag, int nonIepPerOrder) {
        this.host = host;
        this.port = port;
        this.connections = connections;
        this.rate = rate;
        this.runTag = runTag;
        this.nonIepPerOrder = nonIepPerOrder;
    }

    @Override
    public Window run(Duration warmup, Duration measure, Runnable onWindowStart, Runnable onWindowEnd)
            throws Exception {
        List<Socket> sockets = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(connections);
        try {
            for (int c = 0; c < connections; c++) {
                Socket s = new Socket();
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(host, port), 5_000);
                sockets.add(s);
                MessageMix mix = new MessageMix(runTag, c, nonIepPerOrder);
                if (rate > 0) {
                    BlockingQueue<Long> inFlight = new ArrayBlockingQueue<>(1 << 16);
                    threads.add(start("bench-writer-" + c, () -> openWriter(s, mix, inFlight, ready)));
                    threads.add(start("bench-reader-" + c, () -> openReader(s, inFlight)));
                } else {
                    threads.add(start("bench-conn-" + c, () -> closedLoop(s, mix, ready)));
                }
            }
            return tally.measure(ready, warmup, measure, onWindowStart, onWindowEnd);
        } finally {
            stop = true;
            for (Thread t : threads) {
                t.join(rate > 0 ? 2_000 : 30_000);
            }
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void closedLoop(Socket s, MessageMix mix, CountDownLatch ready) {
        try {
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 8192);
            InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
            byte[] ack = new byte[64 * 1024];
            ready.countDown();
            while (!stop) {
                byte[] m = mix.next().payload();
                long started = System.nanoTime();
                writeFrame(out, m);
                tally.sent();
                int n = readFrame(in, ack);
                long micros = (System.nanoTime() - started) / 1_000;
                tally.answered(ack, n, micros);
            }
        } catch (IOException e) {
            if (!stop) {
                tally.error();
            }
        }
    }

    private void openWriter(Socket s, MessageMix mix, BlockingQueue<Long> inFlight, CountDownLatch ready) {
        try {
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 8192);
            long interval = (long) (1e9 * connections / rate);
            ready.countDown();
            long next = System.nanoTime();
            while (!stop) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                byte[] m = mix.next().payload();
                if (!inFlight.offer(next)) {
                    tally.error(); // more than 65,536 unanswered: the target is far behind
                    return;
                }
                writeFrame(out, m);
                tally.sent();
                next += interval;
            }
        } catch (IOException e) {
            if (!stop) {
                tally.error();
            }
        }
    }

    private void openReader(Socket s, BlockingQueue<Long> inFlight) {
        try {
            InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
            byte[] ack = new byte[64 * 1024];
            while (!stop) {
                int n = readFrame(in, ack);
                Long scheduled = inFlight.poll();
                long micros = scheduled == null ? 0 : (System.nanoTime() - scheduled) / 1_000;
                tally.answered(ack, n, micros);
            }
        } catch (IOException e) {
            if (!stop) {
                tally.error();
            }
        }
    }

    private static void writeFrame(OutputStream out, byte[] m) throws IOException {
        out.write(VT);
        out.write(m);
        out.write(FS);
        out.write(CR);
        out.flush();
    }

    /** Reads one MLLP frame (VT ... FS CR) into {@code buf}; returns the payload length. */
    static int readFrame(InputStream in, byte[] buf) throws IOException {
        int b;
        do {
            b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the target");
            }
        } while (b != VT);
        int n = 0;
        while (true) {
            b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside a frame");
            }
            if (b == FS) {
                in.read(); // CR
                return n;
            }
            if (n < buf.length) {
                buf[n++] = (byte) b;
            }
        }
    }
}
