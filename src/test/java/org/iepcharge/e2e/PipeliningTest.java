package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.iepcharge.hl7.Er7;
import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.LabMessages;
import org.iepcharge.testkit.RawMllp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/**
 * Pipelining LIS senders: {@value #FRAMES} frames (ORM NW + final ORU for {@value #FRAMES}/2 orders) written back to
 * back in ONE TCP write, from {@value #CONNECTIONS} connections at once.
 *
 * <p>Shipped netty route: every frame answered, in order per connection, each order charged once.
 *
 * <p>camel-mllp alternative ({@link EngineHarness.Transport#MLLP}): a documented known limitation, CAMEL-24668 (fixed
 * only after Camel 4.17.0) — frames after the first of a burst are silently dropped. The test asserts the loss
 * (answered &lt; sent) and prints it, so the day an upgrade fixes it this test fails and README.md's warning is
 * revisited. Measured here: see the figure this test prints ({@code pipelining mllp: answered N of 800}).
 */
class PipeliningTest {
    static final int FRAMES = 200;
    static final int CONNECTIONS = 4;

    @TempDir
    Path tmp;

    record Result(int sent, int answered, boolean inOrder, int charged, Map<String, Integer> dftsPerFiller) {
    }

    @Test
    void nettyAnswersEveryPipelinedFrameInOrderAndChargesEachOrderOnce() throws Exception {
        Result r = run(EngineHarness.Transport.NETTY, "PN", Duration.ofSeconds(60));
        assertThat(r.answered()).as("frames answered").isEqualTo(r.sent());
        assertThat(r.inOrder()).as("answers in the order sent, per connection").isTrue();
        assertThat(r.dftsPerFiller()).as("orders charged").hasSize(CONNECTIONS * FRAMES / 2);
        assertThat(r.dftsPerFiller().values()).as("DFTs per order").allMatch(n -> n == 1);
    }

    @Test
    void camelMllpLosesPipelinedFramesKnownLimitation() throws Exception {
        Result r = run(EngineHarness.Transport.MLLP, "PM", Duration.ofSeconds(4));
        // CAMEL-24668: documented in README.md (routes). What was answered is still answered in order.
        assertThat(r.answered()).as("camel-mllp 4.17.0 drops pipelined frames (CAMEL-24668)").isLessThan(r.sent());
        assertThat(r.inOrder()).as("what is answered comes in order").isTrue();
        assertThat(r.dftsPerFiller().values()).as("no order charged twice").allMatch(n -> n == 1);
    }

    private Result run(EngineHarness.Transport transport, String prefix, Duration silence) throws Exception {
        try (EngineHarness h = EngineHarness.start(transport, tmp.resolve(transport.name()))) {
            int port = h.engine().settings().inboundPort();
            ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
            List<Future<int[]>> results = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int c = 0; c < CONNECTIONS; c++) {
                int conn = c;
                results.add(pool.submit(() -> pipeline(port, prefix, conn, silence, transport == EngineHarness.Transport.NETTY)));
            }
            int answered = 0;
            boolean inOrder = true;
            for (Future<int[]> f : results) {
                int[] r = f.get();
                answered += r[0];
                inOrder &= r[1] == 1;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            pool.shutdown();
            Map<String, Integer> perFiller = new HashMap<>();
            for (String dft : h.dfts()) {
                perFiller.merge(Er7.of(dft).get("FT1-23-1"), 1, Integer::sum);
            }
            int sent = CONNECTIONS * FRAMES;
            System.out.printf("pipelining %s: %d connections x %d frames in one write each: answered %d of %d"
                            + " (%.1f %% lost), in order %s, orders charged %d of %d, most DFTs for one order %d"
                            + " (%.1f s)%n", transport.name().toLowerCase(), CONNECTIONS, FRAMES, answered, sent,
                    100.0 * (sent - answered) / sent, inOrder, perFiller.size(), sent / 2,
                    perFiller.values().stream().mapToInt(Integer::intValue).max().orElse(0), seconds);
            return new Result(sent, answered, inOrder, perFiller.size(), perFiller);
        }
    }

    /**
     * One connection: all frames in one write, then read answers until all came or {@code silence} passed. Returns
     * {answered, 1 if in order}.
     */
    private static int[] pipeline(int port, String prefix, int conn, Duration silence, boolean gapless) throws Exception {
        List<String> ids = new ArrayList<>();
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i < FRAMES / 2; i++) {
            String placer = prefix + conn + "X" + i;
            String orm = prefix + "-ORM-" + conn + "-" + i;
            String oru = prefix + "-ORU-" + conn + "-" + i;
            // Each order its own patient (the same patient, CPT and day would be held as a same-day repeat).
            burst.write(RawMllp.frame(LabMessages.orm("2.5.1", orm, placer)));
            burst.write(RawMllp.frame(LabMessages.oru("2.5.1", oru, placer, "F" + placer, "F")));
            ids.add(orm);
            ids.add(oru);
        }
        try (RawMllp c = new RawMllp(port)) {
            c.write(burst.toByteArray());
            int answered = 0;
            int next = 0;
            boolean inOrder = true;
            while (answered < FRAMES) {
                RawMllp.Answer a = c.read(silence);
                if (a.kind() != RawMllp.Kind.FRAME) {
                    break;
                }
                answered++;
                // In order: each answer's MSA-2 is the next control ID sent (gapless) or at least a later one.
                int at = ids.subList(next, ids.size()).indexOf(a.msa2());
                if (at < 0 || (gapless && at != 0)) {
                    inOrder = false;
                } else {
                    next += at + 1;
                }
            }
            return new int[] {answered, inOrder ? 1 : 0};
        }
    }
}
