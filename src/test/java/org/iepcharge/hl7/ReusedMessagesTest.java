package org.iepcharge.hl7;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.AbstractGroup;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.Varies;
import ca.uhn.hl7v2.parser.EncodingCharacters;
import ca.uhn.hl7v2.parser.PipeParser;
import org.iepcharge.testkit.Hl7TestInputs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A message parsed into the thread's message from the message before ({@link HapiContexts#edgeParser()}) must be
 * exactly what a parse into a new message gives ({@link HapiContexts#parser()}): the same class, the same encoding,
 * the same structure tree — every group's names, non-standard names included, every repetition of every group and
 * segment, each segment's number of field slots, and every field repetition with its type (OBX-5's data type), its
 * encoding and its extra components — or the same failure. Checked after every message of the test data and the
 * shared corpus, in several orders, after every other message of the same class, and through fuzzed forms of them.
 */
class ReusedMessagesTest {
    private static final PipeParser NEW = HapiContexts.parser();
    private static final Hl7Text TEXT = new Hl7Text(StandardCharsets.UTF_8);
    private static final Map<String, String> SHAPES = Hl7TestInputs.shapes();
    private static List<String> texts;

    @BeforeAll
    static void inputs() throws Exception {
        texts = new ArrayList<>();
        for (byte[] frame : Hl7TestInputs.frames()) {
            texts.add(TEXT.decode(frame, TEXT.charsetOf(frame)));
        }
        assertThat(texts).as("messages in testdata and the corpus").hasSizeGreaterThan(150);
        texts.addAll(SHAPES.values());
    }

    @Test
    void everyMessageInSeveralOrdersParsesAsIntoANewMessage() {
        PipeParser reusing = HapiContexts.edgeParser();
        List<String> order = new ArrayList<>(texts);
        int compared = 0;
        for (int round = 0; round < 5; round++) {
            if (round == 1) {
                Collections.reverse(order);
            } else if (round > 1) {
                Collections.shuffle(order, new Random(round));
            }
            for (String text : order) {
                assertThat(outcome(reusing, text)).as("round " + round + ": " + firstLine(text))
                        .isEqualTo(outcome(NEW, text));
                compared++;
            }
        }
        assertThat(compared).isEqualTo(5 * texts.size());
    }

    /** Every message parsed right after every other message of its class (and a failing parse of it). */
    @Test
    void everyMessageAfterEveryOtherOfItsClassParsesAsIntoANewMessage() throws Exception {
        Map<String, List<String>> byClass = new LinkedHashMap<>();
        Map<String, String> expected = new LinkedHashMap<>();
        for (String text : texts) {
            String fresh = outcome(NEW, text);
            expected.put(text, fresh);
            if (fresh.startsWith("parsed")) {
                byClass.computeIfAbsent(fresh.substring(0, fresh.indexOf('\n')), k -> new ArrayList<>()).add(text);
            }
        }
        PipeParser reusing = HapiContexts.edgeParser();
        int pairs = 0;
        int reused = 0;
        for (List<String> sameClass : byClass.values()) {
            for (String before : sameClass) {
                for (String text : sameClass) {
                    Message first = reusing.parse(before);
                    String second = outcome(reusing, text);
                    assertThat(second).as(firstLine(before) + " then " + firstLine(text)).isEqualTo(expected.get(text));
                    pairs++;
                    reused += LAST.get() == first ? 1 : 0;
                }
            }
        }
        assertThat(byClass.keySet()).as("classes").hasSizeGreaterThanOrEqualTo(3);
        // Not vacuous: most second parses went into the message of the first (the rest held Z-segments or
        // fields beyond their segment's definition, or followed such a message).
        assertThat(reused).as("pairs parsed into the message before, of " + pairs).isGreaterThan(pairs / 2);
    }

    @Test
    void fuzzedMessagesParseAsIntoANewMessage() throws Exception {
        List<byte[]> seeds = new ArrayList<>(Hl7TestInputs.frames());
        SHAPES.values().forEach(s -> seeds.add(s.getBytes(StandardCharsets.ISO_8859_1)));
        PipeParser reusing = HapiContexts.edgeParser();
        int parsed = 0;
        for (byte[] frame : Hl7TestInputs.fuzzed(seeds, 3000, 9)) {
            String text = TEXT.decode(frame, TEXT.charsetOf(frame));
            String fresh = outcome(NEW, text);
            assertThat(outcome(reusing, text)).as(firstLine(text)).isEqualTo(fresh);
            parsed += fresh.startsWith("parsed") ? 1 : 0;
        }
        assertThat(parsed).as("fuzzed messages HAPI parsed").isGreaterThan(750);
    }

    /** The cases the reuse has to handle, named; and which of them parse into the message before. */
    @Test
    void namedCasesParseAsIntoANewMessageAndReuseOnlyWhatCanBe() throws Exception {
        List<List<String>> sequences = List.of(
                List.of("big ORU", "small ORU", "big ORU", "ORU without PID", "big ORU"),
                List.of("small ORU", "ORU with Z-segments", "small ORU", "ORU with Z-segments",
                        "ORU with other Z-segments", "small ORU"),
                List.of("big ORU", "ORU with NTE after MSH", "big ORU"),
                List.of("small ORU", "ORU with fields beyond the definitions", "small ORU",
                        "ORU with fields beyond the definitions", "ORU with fields beyond the definitions"),
                List.of("ORU with OBX-5 of several types", "big ORU", "ORU with OBX-5 of several types",
                        "small ORU", "ORU with OBX-5 of several types"),
                List.of("big ORU", "ORU with empty segments", "small ORU", "ORU with empty segments", "big ORU"),
                List.of("big ORU", "ORU with other delimiters", "small ORU", "ORU with other delimiters"),
                List.of("big ORU", "ORU v2.3", "big ORU", "ORU v2.3"),
                List.of("big ORU", "ORU failing half-way", "small ORU", "ORU failing half-way", "big ORU"),
                List.of("ORM with three orders", "small ORU", "ORM with one order", "OML", "ORM with three orders",
                        "OML", "big ORU", "ORM with one order"));
        PipeParser reusing = HapiContexts.edgeParser();
        for (List<String> sequence : sequences) {
            for (String name : sequence) {
                assertThat(outcome(reusing, SHAPES.get(name))).as(sequence + ": " + name)
                        .isEqualTo(outcome(NEW, SHAPES.get(name)));
            }
        }
        assertThat(reusedAfter(reusing, "big ORU", "small ORU")).isTrue();
        assertThat(reusedAfter(reusing, "small ORU", "big ORU")).isTrue();
        assertThat(reusedAfter(reusing, "ORU with OBX-5 of several types", "big ORU")).isTrue();
        assertThat(reusedAfter(reusing, "ORU with other delimiters", "ORU v2.3")).isTrue();
        assertThat(reusedAfter(reusing, "ORM with three orders", "ORM with one order")).isTrue();
        assertThat(reusedAfter(reusing, "small ORU", "ORU with Z-segments")).as("into a message without Z").isTrue();
        assertThat(reusedAfter(reusing, "ORU with Z-segments", "small ORU")).as("a message with Z is not kept")
                .isFalse();
        assertThat(reusedAfter(reusing, "ORU with NTE after MSH", "small ORU")).isFalse();
        assertThat(reusedAfter(reusing, "ORU with fields beyond the definitions", "small ORU"))
                .as("appended field slots").isFalse();
        assertThat(reusedAfter(reusing, "ORU failing half-way", "small ORU")).as("a failed parse").isFalse();
    }

    /** Each thread parses into its own messages. */
    @Test
    void threadsDoNotShareMessages() throws Exception {
        PipeParser reusing = HapiContexts.edgeParser();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Message>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                results.add(pool.submit(() -> {
                    List<String> order = new ArrayList<>(texts);
                    Collections.shuffle(order, new Random(seed));
                    for (String text : order) {
                        assertThat(outcome(reusing, text)).as(firstLine(text)).isEqualTo(outcome(NEW, text));
                    }
                    return List.of(reusing.parse(SHAPES.get("small ORU")), reusing.parse(SHAPES.get("big ORU")));
                }));
            }
            List<Message> last = new ArrayList<>();
            for (Future<List<Message>> f : results) {
                last.addAll(f.get());
            }
            for (int i = 0; i < last.size(); i += 2) {
                assertThat(last.get(i)).as("thread %d parsed into its own message", i / 2).isSameAs(last.get(i + 1));
                for (int j = i + 2; j < last.size(); j++) {
                    assertThat(last.get(j)).isNotSameAs(last.get(i));
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    private static boolean reusedAfter(PipeParser reusing, String first, String second) throws HL7Exception {
        Message m = null;
        try {
            m = reusing.parse(SHAPES.get(first));
        } catch (HL7Exception expected) {
            // the failing case: nothing to hold on to, the next parse must take a new message
        }
        Message next = reusing.parse(SHAPES.get(second));
        return m == null ? false : next == m;
    }

    /** The message of the last successful {@link #outcome} of the reusing parser on this thread. */
    private static final ThreadLocal<Message> LAST = new ThreadLocal<>();

    /** Class, encoding and structure tree of the parse, or its failure. */
    private static String outcome(PipeParser parser, String text) {
        try {
            Message m = parser.parse(text);
            if (parser != NEW) {
                LAST.set(m);
            }
            StringBuilder sb = new StringBuilder("parsed " + m.getClass().getName() + " " + m.getName() + "\n");
            sb.append(parser.encode(m)).append('\n');
            tree(m, EncodingCharacters.getInstance(m), sb, "");
            return sb.toString();
        } catch (HL7Exception e) {
            return "failed " + e.getClass().getName() + " " + e.getErrorCode() + " " + e.getLocation() + " "
                    + e.getMessage();
        } catch (RuntimeException e) {
            // HotSpot's fast throw (OmitStackTraceInFastThrow) replaces an implicit exception thrown often from one
            // compiled site by a preallocated one without a message: which parse got which depends on the JIT, so
            // for those only the class is compared.
            boolean implicit = e instanceof NullPointerException || e instanceof ArrayIndexOutOfBoundsException
                    || e instanceof ClassCastException || e instanceof ArithmeticException
                    || e instanceof ArrayStoreException;
            return "failed " + e.getClass().getName() + (implicit ? "" : " " + e.getMessage());
        }
    }

    private static void tree(Group group, EncodingCharacters enc, StringBuilder sb, String indent)
            throws HL7Exception {
        sb.append(indent).append(group.getClass().getName()).append(' ').append(Arrays.toString(group.getNames()));
        if (group instanceof AbstractGroup g) {
            sb.append(" non-standard ").append(new TreeSet<>(g.getNonStandardNames()));
        }
        sb.append('\n');
        for (String name : group.getNames()) {
            Structure[] reps = group.getAll(name);
            sb.append(indent).append(name).append(" x").append(reps.length).append(' ')
                    .append(group.getClass(name).getName()).append('\n');
            for (Structure s : reps) {
                if (s instanceof Group child) {
                    tree(child, enc, sb, indent + "  ");
                } else {
                    segment((Segment) s, enc, sb, indent + "  ");
                }
            }
        }
    }

    private static void segment(Segment s, EncodingCharacters enc, StringBuilder sb, String indent)
            throws HL7Exception {
        sb.append(indent).append(s.getClass().getName()).append(' ').append(s.getName()).append(" slots ")
                .append(s.numFields()).append(" empty ").append(s.isEmpty()).append('\n');
        for (int i = 1; i <= s.numFields(); i++) {
            Type[] reps = s.getField(i);
            for (int r = 0; r < reps.length; r++) {
                Type t = reps[r];
                String type = t instanceof Varies v ? "Varies(" + (v.getData() == null ? "null"
                        : v.getData().getClass().getName()) + ")" : t.getClass().getName();
                sb.append(indent).append(' ').append(i).append('.').append(r).append(' ').append(type).append(' ')
                        .append(PipeParser.encode(t, enc)).append(" extra ")
                        .append(t.getExtraComponents().numComponents()).append('\n');
            }
        }
    }

    private static String firstLine(String text) {
        int cr = text.indexOf('\r');
        return cr < 0 ? text : text.substring(0, cr);
    }
}
