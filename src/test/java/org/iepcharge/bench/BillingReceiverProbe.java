package org.iepcharge.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import ca.uhn.hl7v2.AcknowledgmentCode;
import org.iepcharge.billing.local.BillingReceiver;

/**
 * The built-in billing receiver alone ({@code iep.billing.mode=local}, which the engine runs on its default
 * settings and {@code bench} does not): DFTs sent one at a time over one MLLP connection, each waiting for its ACK as
 * the outbound route does; CPU time and bytes allocated per DFT of the receiver's threads (camel-netty's server I/O
 * and consumer executor threads, the only netty server threads of this JVM). No JUnit: a main in the test classes,
 * run as BENCHMARKS.md ("Outbox thread, fourth pass") shows. Args: DFTs per round, rounds, the folder to file them in
 * (a new one per run: a folder emptied by the probe makes the kernel's inode allocation the cost), a DFT file
 * ({@code #} lines skipped).
 */
public final class BillingReceiverProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private BillingReceiverProbe() {
    }

    public static void main(String[] args) throws Exception {
        int calls = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        Path dir = Path.of(args[2]);
        String dft = Arrays.stream(Files.readString(Path.of(args[3]), StandardCharsets.UTF_8).split("\r?\n|\r"))
                .filter(l -> !l.startsWith("#") && !l.isBlank()).collect(Collectors.joining("\r", "", "\r"));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (BillingReceiver receiver = new BillingReceiver()) {
            receiver.start(port, dir, AcknowledgmentCode.AA);
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setTcpNoDelay(true);
                OutputStream out = new BufferedOutputStream(socket.getOutputStream());
                InputStream in = new BufferedInputStream(socket.getInputStream());
                send(out, in, dft, 0, calls); // warm-up
                System.out.printf(Locale.ROOT, "BillingReceiverProbe: %d DFTs x %d rounds, one connection%n", calls,
                        rounds);
                for (int round = 1; round <= rounds; round++) {
                    Map<Long, long[]> before = sample();
                    send(out, in, dft, round * (long) calls, calls);
                    long cpu = 0;
                    long allocated = 0;
                    for (Map.Entry<Long, long[]> e : sample().entrySet()) {
                        long[] b = before.getOrDefault(e.getKey(), new long[2]);
                        cpu += e.getValue()[0] - b[0];
                        allocated += e.getValue()[1] - b[1];
                    }
                    System.out.printf(Locale.ROOT, "round %d: receiver threads %.1f us CPU, %.1f KB per DFT%n", round,
                            cpu / 1e3 / calls, allocated / 1024.0 / calls);
                }
            }
        }
    }

    private static Map<Long, long[]> sample() {
        Map<Long, long[]> threads = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().contains("NettyServerTCPWorker") || t.getName().contains("NettyConsumerExecutorGroup")) {
                threads.put(t.getId(), new long[] {THREADS.getThreadCpuTime(t.getId()),
                        THREADS.getThreadAllocatedBytes(t.getId())});
            }
        }
        return threads;
    }

    /** Each DFT with its own MSH-10, framed, then its ACK read to the end of its frame. */
    private static void send(OutputStream out, InputStream in, String dft, long first, int calls) throws IOException {
        int mshEnd = dft.indexOf('\r');
        String[] msh = dft.substring(0, mshEnd).split("\\|", -1);
        for (int i = 0; i < calls; i++) {
            msh[9] = String.format(Locale.ROOT, "PRB%015d", first + i);
            out.write(0x0b);
            out.write((String.join("|", msh) + dft.substring(mshEnd)).getBytes(StandardCharsets.UTF_8));
            out.write(0x1c);
            out.write(0x0d);
            out.flush();
            int previous = -1;
            for (int c = in.read(); c >= 0; c = in.read()) {
                if (previous == 0x1c && c == 0x0d) {
                    break;
                }
                previous = c;
            }
        }
    }
}
