package org.iepcharge.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/** The content hash is SHA-256 of the raw bytes whatever the thread hashed before (its digest is kept per thread). */
class ContentHashTest {
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void everyCallHashesOnlyItsOwnBytes() throws Exception {
        assertThat(ChargeCapture.sha256("abc".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ABC);
        assertThat(ChargeCapture.sha256(new byte[0])).isEqualTo(EMPTY);
        assertThat(ChargeCapture.sha256("abc".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ABC);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] done = new Future<?>[4];
            for (int t = 0; t < done.length; t++) {
                done[t] = pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        assertThat(ChargeCapture.sha256(i % 2 == 0 ? "abc".getBytes(StandardCharsets.US_ASCII)
                                : new byte[0])).isEqualTo(i % 2 == 0 ? ABC : EMPTY);
                    }
                });
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
