package org.iepcharge.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.iepcharge.hl7.HapiContexts;
import org.iepcharge.testkit.Hl7TestInputs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The LIS edge parses each message into the thread's HAPI message from the message before
 * ({@link HapiContexts#edgeParser()}); what it reads must be exactly what it reads from a message parsed into a new
 * one ({@link HapiContexts#parser()}): every component of the {@link Inbound} record — the raw bytes, charset, MSH
 * fields, header, the whole {@code LabMessage} (patient, visit, insurance, diagnoses, every test with its
 * observations), the verdict and the AE 101s owed — for the test data, the shared corpus, the named shapes of
 * {@link Hl7TestInputs#shapes()} and fuzzed forms of all of them, in several orders. The records read earlier must be
 * unchanged after all later reads (nothing of the reused HAPI message is in them).
 */
class InboundEdgeReuseTest {
    private static List<byte[]> frames;

    @BeforeAll
    static void inputs() throws Exception {
        frames = new ArrayList<>(Hl7TestInputs.frames());
        Hl7TestInputs.shapes().values().forEach(s -> frames.add(s.getBytes(StandardCharsets.UTF_8)));
        assertThat(frames).hasSizeGreaterThan(150);
    }

    @Test
    void everyFrameInSeveralOrdersAndFuzzedReadsAsFromANewMessage() {
        InboundEdge reusing = new InboundEdge(StandardCharsets.UTF_8);
        InboundEdge fresh = new InboundEdge(StandardCharsets.UTF_8, HapiContexts.parser());
        List<byte[]> order = new ArrayList<>(frames);
        List<byte[]> all = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            if (round == 1) {
                Collections.reverse(order);
            } else if (round > 1) {
                Collections.shuffle(order, new Random(round));
            }
            all.addAll(order);
        }
        all.addAll(Hl7TestInputs.fuzzed(frames, 3000, 17));
        List<Inbound> read = new ArrayList<>();
        int accepted = 0;
        for (byte[] frame : all) {
            Inbound expected = fresh.read(frame);
            Inbound actual = reusing.read(frame);
            assertSame(actual, expected, frame);
            read.add(actual);
            accepted += expected.accepted() ? 1 : 0;
        }
        assertThat(accepted).as("frames read into a LabMessage, of " + all.size()).isGreaterThan(all.size() / 4);
        for (int i = 0; i < all.size(); i++) {
            assertSame(read.get(i), fresh.read(all.get(i)), all.get(i));
        }
    }

    /** Component by component: records compare their components by value, lists element by element. */
    private static void assertSame(Inbound actual, Inbound expected, byte[] frame) {
        String what = firstLine(frame);
        assertThat(actual.raw()).as(what).isEqualTo(expected.raw());
        assertThat(actual.charset()).as(what).isEqualTo(expected.charset());
        assertThat(actual.msh()).as(what).isEqualTo(expected.msh());
        assertThat(actual.header()).as(what).isEqualTo(expected.header());
        assertThat(actual.message()).as(what).isEqualTo(expected.message());
        assertThat(actual.verdict()).as(what).isEqualTo(expected.verdict());
        assertThat(actual.keylessTests()).as(what).isEqualTo(expected.keylessTests());
    }

    private static String firstLine(byte[] frame) {
        String text = new String(frame, StandardCharsets.ISO_8859_1);
        int cr = text.indexOf('\r');
        return cr < 0 ? text : text.substring(0, cr);
    }
}
