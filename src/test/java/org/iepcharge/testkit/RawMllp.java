package org.iepcharge.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.iepcharge.hl7.Er7;

/**
 * A plain-socket MLLP client for the fault tests: writes whatever bytes a test gives it (whole frames, several frames
 * in one write, broken frames, one byte at a time) and reads framed answers. Nothing here is Camel or Netty, so what
 * the engine does is seen exactly as a LIS would see it.
 */
public final class RawMllp implements AutoCloseable {
    public static final byte SB = 0x0b;
    public static final byte FS = 0x1c;
    public static final byte CR = 0x0d;

    /** What one read saw. */
    public enum Kind { FRAME, TIMEOUT, CLOSED }

    public record Answer(Kind kind, byte[] bytes) {
        public String msa1() {
            return kind == Kind.FRAME ? Er7.of(bytes).get("MSA-1") : "";
        }

        public String msa2() {
            return kind == Kind.FRAME ? Er7.of(bytes).get("MSA-2") : "";
        }

        public boolean isAck() {
            String a = msa1();
            return a.equals("AA") || a.equals("AE") || a.equals("AR") || a.equals("CA") || a.equals("CE")
                    || a.equals("CR");
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawMllp(int port) throws IOException {
        this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** SB payload FS CR. */
    public static byte[] frame(byte[] payload) {
        byte[] f = new byte[payload.length + 3];
        f[0] = SB;
        System.arraycopy(payload, 0, f, 1, payload.length);
        f[f.length - 2] = FS;
        f[f.length - 1] = CR;
        return f;
    }

    public static byte[] frame(String payload) {
        return frame(payload.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes raw bytes, exactly as given, in one write. */
    public void write(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** Writes one framed message and reads one answer. */
    public Answer exchange(byte[] payload, Duration wait) throws IOException {
        write(frame(payload));
        return read(wait);
    }

    /**
     * The next framed answer; TIMEOUT when nothing (complete) arrives within {@code wait}, CLOSED when the engine closed
     * or reset the connection.
     */
    public Answer read(Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean started = false;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return new Answer(Kind.TIMEOUT, buf.toByteArray());
            }
            socket.setSoTimeout((int) Math.max(1, left));
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                return new Answer(Kind.TIMEOUT, buf.toByteArray());
            } catch (IOException e) {
                return new Answer(Kind.CLOSED, buf.toByteArray());
            }
            if (b < 0) {
                return new Answer(Kind.CLOSED, buf.toByteArray());
            }
            if (!started) {
                started = b == SB;
                continue;
            }
            if (b == FS) {
                // The engine ends frames FS CR; the CR is consumed with the frame.
                socket.setSoTimeout(2_000);
                try {
                    in.read();
                } catch (IOException ignored) {
                    // the frame itself is complete
                }
                return new Answer(Kind.FRAME, buf.toByteArray());
            }
            buf.write(b);
        }
    }

    /** True when the engine closed the connection (EOF or reset) within {@code wait}, reading and discarding data. */
    public boolean closedWithin(Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            Answer a = read(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            if (a.kind() == Kind.CLOSED) {
                return true;
            }
            if (a.kind() == Kind.TIMEOUT) {
                return false;
            }
        }
        return false;
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing only
        }
    }
}
