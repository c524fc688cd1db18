package org.iepcharge.hl7;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.AbstractGroup;
import ca.uhn.hl7v2.model.AbstractSegment;
import ca.uhn.hl7v2.model.AbstractSuperMessage;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import ca.uhn.hl7v2.parser.ModelClassFactory;
import ca.uhn.hl7v2.util.ReflectionUtil;

/**
 * Each thread's parsed messages, one per message class, parsed into again by the next message of that class
 * ({@link MshStructurePipeParser#reusing}). Building the segment objects — a reflective constructor per segment,
 * whose {@code init} grows seven lists to the segment's 20–50 field definitions and walks up to the message for
 * each — was a third of the LIS route thread's allocation and ≈ 12 % of its CPU (BENCHMARKS.md, "LIS route thread,
 * fourth pass"). Field values (HAPI's {@code Type} objects) are still built fresh for every message.
 *
 * <p>HAPI's {@code PipeParser.parse(Message, String)} clears nothing: it walks the message with its
 * {@code MessageIterator}, taking repetition {@code n} of a structure where one exists and creating it where not,
 * and sets the fields it finds. What a message keeps from an earlier parse, and what is done about it:
 * <ul>
 *   <li>field values and field repetitions: every segment is {@link AbstractSegment#clear() cleared} before the
 *       parse (HAPI's own {@code clear()}: each field's list of repetitions emptied, as in a new segment);</li>
 *   <li>segment and group repetitions the new message does not have (3 OBX before, 1 now): removed after the parse.
 *       The parser records each segment it fills; in a fresh parse every segment is one it filled and every group
 *       holds one (HAPI creates a structure only on the way to the segment it fills; the equivalence test checks
 *       this over all test data and fuzz), so a segment not filled, or a group holding none, is left over from an
 *       earlier message. Left-overs are always the last repetitions of their structure (repetitions are filled in
 *       order); if one sat between filled ones the message is parsed again into a new instance;</li>
 *   <li>field slots beyond a segment's definition (a sender's 60th OBR field makes HAPI append generic
 *       {@code Varies} slots, which {@code clear()} keeps): such a message is not parsed into again;</li>
 *   <li>non-standard segments (Z-segments, a segment where its structure has none): HAPI adds them to the group's
 *       list of names, which nothing removes; such a message is not kept;</li>
 *   <li>the parser, the configuration and the encoding characters are not message state: {@code parse} sets the
 *       parser, the configuration is the parser's, and MSH-1/MSH-2 are read from every message's own text.</li>
 * </ul>
 * Only generated v2.5.1 message classes are kept (no generic or super-structure messages, whose name comes from the
 * text). A parse that fails leaves its message out. Per thread, the messages of the {@value #MAX_CLASSES} classes
 * parsed last are kept, each of at most {@value #MAX_SEGMENTS} segments, so a huge frame is not held until the next
 * message.
 *
 * <p>A message returned by {@link MshStructurePipeParser#reusing} is therefore valid only until the next parse on the
 * same thread: read it, copy what is needed into immutable records, and keep nothing of it.
 */
final class ReusedMessages {
    static final int MAX_CLASSES = 8;
    static final int MAX_SEGMENTS = 512;
    private static final String GENERATED_MESSAGES = "ca.uhn.hl7v2.model.v251.message.";

    private final ThreadLocal<PerThread> threads = ThreadLocal.withInitial(PerThread::new);
    /** Field definitions of a new segment of each class (a cleared segment keeps any slots a message appended). */
    private final Map<Class<?>, Integer> definedFields = new ConcurrentHashMap<>();

    /** One thread's messages, and the segments the running parse has filled. */
    static final class PerThread {
        /** In the order last kept: past {@value #MAX_CLASSES} classes, the one parsed least recently goes. */
        final Map<Class<? extends Message>, Message> kept = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Class<? extends Message>, Message> eldest) {
                return size() > MAX_CLASSES;
            }
        };
        final Set<Segment> filled = Collections.newSetFromMap(new IdentityHashMap<>());
        boolean recording;
    }

    PerThread current() {
        return threads.get();
    }

    static boolean eligible(Class<? extends Message> type) {
        return type != null && type.getName().startsWith(GENERATED_MESSAGES)
                && !AbstractSuperMessage.class.isAssignableFrom(type);
    }

    /**
     * The thread's message of this class, its segments cleared; null when there is none or it cannot be reused (a
     * segment has slots beyond its definition). Taken out of the thread's set: a parse that fails never returns it.
     */
    Message take(PerThread thread, Class<? extends Message> type, ModelClassFactory factory) throws HL7Exception {
        Message kept = thread.kept.remove(type);
        return kept != null && clearSegments(kept, factory) ? kept : null;
    }

    /** Keeps the message for the next parse of its class on this thread, if it can be parsed into again. */
    void keep(PerThread thread, Message message) throws HL7Exception {
        if (thread.filled.size() <= MAX_SEGMENTS && standardOnly(message)) {
            thread.kept.put(message.getClass(), message);
        }
    }

    /** What {@link #removeLeftOvers} found. */
    record LeftOvers(int removed, boolean inOrder) {
    }

    /**
     * Removes the segments and groups of an earlier message that this parse did not reach, or with
     * {@code remove == false} only counts them (a fresh parse, where there must be none).
     */
    static LeftOvers removeLeftOvers(Message message, Set<Segment> filled, boolean remove) throws HL7Exception {
        int[] removed = new int[1];
        boolean[] inOrder = {true};
        prune(message, filled, remove, removed, inOrder);
        return new LeftOvers(removed[0], inOrder[0]);
    }

    /** True when the group holds a segment this parse filled. */
    private static boolean prune(Group group, Set<Segment> filled, boolean remove, int[] removed, boolean[] inOrder)
            throws HL7Exception {
        boolean holdsFilled = false;
        for (String name : group.getNames()) {
            Structure[] reps = group.getAll(name);
            int live = 0;
            for (int i = 0; i < reps.length; i++) {
                boolean isLive = reps[i] instanceof Segment s ? filled.contains(s)
                        : prune((Group) reps[i], filled, remove, removed, inOrder);
                if (isLive) {
                    if (live != i) {
                        inOrder[0] = false; // a left-over between filled repetitions
                    }
                    live = i + 1;
                }
            }
            removed[0] += reps.length - live;
            if (remove) {
                for (int i = reps.length - 1; i >= live; i--) {
                    ((AbstractGroup) group).removeRepetition(name, i);
                }
            }
            holdsFilled |= live > 0;
        }
        return holdsFilled;
    }

    /** No non-standard segment anywhere, and every structure one of HAPI's abstract base classes. */
    private static boolean standardOnly(Group group) throws HL7Exception {
        if (!(group instanceof AbstractGroup g) || !g.getNonStandardNames().isEmpty()) {
            return false;
        }
        for (String name : group.getNames()) {
            for (Structure s : group.getAll(name)) {
                if (s instanceof Group child ? !standardOnly(child) : !(s instanceof AbstractSegment)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Clears every segment; false when one has field slots beyond its definition. */
    private boolean clearSegments(Group group, ModelClassFactory factory) throws HL7Exception {
        for (String name : group.getNames()) {
            for (Structure s : group.getAll(name)) {
                if (s instanceof Group child) {
                    if (!clearSegments(child, factory)) {
                        return false;
                    }
                } else {
                    AbstractSegment segment = (AbstractSegment) s;
                    if (segment.numFields() != definedFields(segment, factory)) {
                        return false;
                    }
                    segment.clear();
                }
            }
        }
        return true;
    }

    private int definedFields(AbstractSegment segment, ModelClassFactory factory) throws HL7Exception {
        Integer known = definedFields.get(segment.getClass());
        if (known == null) {
            known = ReflectionUtil.instantiateStructure(segment.getClass(), segment.getParent(), factory).numFields();
            definedFields.put(segment.getClass(), known);
        }
        return known;
    }
}
