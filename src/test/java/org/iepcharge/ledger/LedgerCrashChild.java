package org.iepcharge.ledger;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The child JVM of {@link LedgerCrashIT}: opens the H2 ledger in a directory and commits inbound messages through
 * {@link Ledger#write} from several threads, forever, printing {@code COMMITTED <key>} for each one only after
 * {@code write} has returned (the moment the engine would send its ACK). It is meant to be killed.
 *
 * <p>Arguments: directory, number of threads, and {@code true} to open the database with H2's default write delay
 * instead of the shipped {@link JdbcLedger#h2FileUrl} URL (which sets {@code WRITE_DELAY=0}).
 */
public final class LedgerCrashChild {

    static final String SENDER = "CRASH^TEST";
    static final String PREFIX = "COMMITTED ";

    private LedgerCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        boolean h2DefaultWriteDelay = Boolean.parseBoolean(args[2]);
        String url = url(directory, h2DefaultWriteDelay);

        JdbcLedger ledger = JdbcLedger.open(url, "sa", "");
        // Unbuffered: each line is one write(2) to the pipe, so nothing printed waits in this JVM when it is killed.
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        print(out, "URL " + url);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread writer = new Thread(() -> {
                for (long i = 0; ; i++) {
                    String key = "k" + thread + "-" + i;
                    ledger.write((LedgerSession s) -> s.recordInbound(LedgerTestSupport.inbound(SENDER, key, "h"),
                            Instant.now()));
                    print(out, PREFIX + key);
                }
            }, "crash-writer-" + t);
            writer.start();
        }
        Thread.currentThread().join();
    }

    /** The shipped URL, or the same URL without {@code WRITE_DELAY=0} (H2's default write delay). */
    static String url(Path directory, boolean h2DefaultWriteDelay) {
        String shipped = JdbcLedger.h2FileUrl(directory);
        if (!h2DefaultWriteDelay) {
            return shipped;
        }
        String withDefault = shipped.replace(";WRITE_DELAY=0", "");
        if (withDefault.equals(shipped)) {
            throw new IllegalStateException("the shipped H2 URL no longer sets WRITE_DELAY=0: " + shipped);
        }
        return withDefault;
    }

    private static void print(OutputStream out, String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.US_ASCII);
        synchronized (out) {
            try {
                out.write(bytes);
            } catch (IOException e) {
                System.exit(3);
            }
        }
    }
}
