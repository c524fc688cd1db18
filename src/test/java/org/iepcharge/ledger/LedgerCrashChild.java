package org.iepcharge.ledger;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The child JVM of {@link LedgerCrashIT}: opens the ledger at a URL and commits inbound messages through
 * {@link Ledger#write} from several threads, forever, printing {@code COMMITTED <key>} for each one only after
 * {@code write} has returned (the moment the engine would send its ACK). It is meant to be killed.
 *
 * <p>Arguments: JDBC URL, user, password, number of threads.
 */
public final class LedgerCrashChild {

    static final String SENDER = "CRASH^TEST";
    static final String PREFIX = "COMMITTED ";

    private LedgerCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int threads = Integer.parseInt(args[3]);

        JdbcLedger ledger = JdbcLedger.open(url, args[1], args[2]);
        // Unbuffered: each line is one write(2) to the pipe, so nothing printed waits in this JVM when it is killed.
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        print(out, "URL " + url.replaceAll("\\?.*", ""));
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread writer = new Thread(() -> {
                for (long i = 0; ; i++) {
                    String key = "k" + thread + "-" + i;
                    ledger.write((LedgerSession s) -> s.inbound().record(LedgerTestSupport.inbound(SENDER, key, "h"),
                            Instant.now()));
                    print(out, PREFIX + key);
                }
            }, "crash-writer-" + t);
            writer.start();
        }
        Thread.currentThread().join();
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
