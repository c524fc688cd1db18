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
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.Varies;
import ca.uhn.hl7v2.parser.ModelClassFactory;
import ca.uhn.hl7v2.util.ReflectionUtil;

/**
 * Each thread's parsed messages, one per message class, parsed into again by the next message of that class
 * ({@link MshStructurePipeParser#reusing}). Building the segment objects — a reflective constructor per segment,
 * whose {@code init} grows seven lists to the segment's 20–50 field definitions and walks up to the message for
 * each — was a third of the LIS route thread's allocation and ≈ 12 % of its CPU (BENCHMARKS.md, "LIS route thread,
 * fourth pass"). The first repetition of each field is kept too, emptied by HAPI's {@code Type.clear()}: making every
 * typed field anew (an XCN is some 40 objects, each with its {@code ExtraComponents}) was a fifth of the route
 * thread's allocation (BENCHMARKS.md, "LIS route thread, fifth pass").
 *
 * <p>HAPI's {@code PipeParser.parse(Message, String)} clears nothing: it walks the message with its
 * {@code MessageIterator}, taking repetition {@code n} of a structure where one exists and creating it where not,
 * and sets the fields it finds. What a message keeps from an earlier parse, and what is done about it:
 * <ul>
 *   <li>field values and field repetitions: just before HAPI parses a kept segment, each of its fields is made what
 *       a new segment's is for that text ({@link #emptyForParse}): a field the segment text leaves empty has no
 *       repetition (HAPI's {@code PipeParser} creates one only for a non-empty field, and for MSH-1 and MSH-2);
 *       otherwise the first repetition stays, emptied by HAPI's {@code Type.clear()} (value, components,
 *       subcomponents and extra components set to none, as in a new object; no v2.5.1 data type has a component
 *       that could change its class), later repetitions are removed, and HAPI parses into the first one as it
 *       would into a new one. A {@code Varies} (OBX-5) is never kept: its data type is the one the message before
 *       set;</li>
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
        final Map<Class<? extends Message>, Message> keptMessages = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Class<? extends Message>, Message> eldest) {
                return size() > MAX_CLASSES;
            }
        };
        final Set<Segment> filled = Collections.newSetFromMap(new IdentityHashMap<>());
        /** The segments of the message being parsed into again that HAPI has not parsed into yet. */
        final Set<Segment> kept = Collections.newSetFromMap(new IdentityHashMap<>());
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
     * The thread's message of this class, its segments listed in {@code thread.kept} to be emptied field by field
     * when HAPI parses into them ({@link #emptyForParse}); null when there is none or it cannot be reused (a segment
     * has slots beyond its definition). Taken out of the thread's set: a parse that fails never returns it.
     */
    Message take(PerThread thread, Class<? extends Message> type, ModelClassFactory factory) throws HL7Exception {
        thread.kept.clear();
        Message kept = thread.keptMessages.remove(type);
        if (kept != null && listSegments(kept, factory, thread.kept)) {
            return kept;
        }
        thread.kept.clear();
        return null;
    }

    /**
     * Makes each field of a kept segment what HAPI's parse of {@code text} into a new segment starts from (see the
     * class comment): no repetition where the text leaves the field empty, else the first repetition emptied.
     * Segments that HAPI does not parse into are removed after the parse, so only these need it. {@code fs} is the
     * field separator; the text is split on it as HAPI splits it (a field is empty when two separators meet or the
     * text ends), without making the pieces.
     */
    static void emptyForParse(AbstractSegment segment, String text, char fs) throws HL7Exception {
        String name = segment.getName();
        boolean header = name.equals("MSH") || name.equals("FHS") || name.equals("BHS");
        int at = text.indexOf(fs); // the separator before the next field's text; -1: no more text
        for (int field = 1; field <= segment.numFields(); field++) {
            boolean valued;
            if (header && field == 1) {
                valued = true; // HAPI sets MSH-1 from the separator whatever follows
            } else {
                int next = at < 0 ? -1 : text.indexOf(fs, at + 1);
                int end = next < 0 ? text.length() : next;
                // MSH-2 is created whenever anything follows the first separator, even an empty MSH-2 ("MSH||").
                valued = at >= 0 && (header && field == 2 ? text.length() > at + 1 : end > at + 1);
                at = next;
            }
            Type[] reps = segment.getField(field);
            for (int rep = reps.length - 1; rep >= 1; rep--) {
                segment.removeRepetition(field, rep);
            }
            if (reps.length > 0) {
                if (valued && !(reps[0] instanceof Varies)) {
                    reps[0].clear();
                } else {
                    segment.removeRepetition(field, 0);
                }
            }
        }
    }

    /**
     * Keeps the message for the next parse of its class on this thread, if it can be parsed into again ({@code left}
     * says whether it holds only standard structures).
     */
    void keep(PerThread thread, Message message, LeftOvers left) {
        if (thread.filled.size() <= MAX_SEGMENTS && left.standardOnly()) {
            thread.keptMessages.put(message.getClass(), message);
        }
    }

    /**
     * What {@link #removeLeftOvers} found: how many structures it removed, whether they were all behind the filled
     * ones, and whether the message holds only standard structures (no non-standard segment anywhere, every
     * structure one of HAPI's abstract base classes) — found on the same walk, which reads every group's names and
     * repetitions anyway (each read copies an array).
     */
    record LeftOvers(int removed, boolean inOrder, boolean standardOnly) {
    }

    /**
     * Removes the segments and groups of an earlier message that this parse did not reach, or with
     * {@code remove == false} only counts them (a fresh parse, where there must be none).
     */
    static LeftOvers removeLeftOvers(Message message, Set<Segment> filled, boolean remove) throws HL7Exception {
        int[] removed = new int[1];
        boolean[] flags = {true, true}; // {in order, standard only}
        prune(message, filled, remove, removed, flags);
        return new LeftOvers(removed[0], flags[0], flags[1]);
    }

    /** True when the group holds a segment this parse filled. */
    private static boolean prune(Group group, Set<Segment> filled, boolean remove, int[] removed, boolean[] flags)
            throws HL7Exception {
        if (!(group instanceof AbstractGroup g) || !g.getNonStandardNames().isEmpty()) {
            flags[1] = false;
        }
        boolean holdsFilled = false;
        for (String name : group.getNames()) {
            Structure[] reps = group.getAll(name);
            int live = 0;
            for (int i = 0; i < reps.length; i++) {
                if (reps[i] instanceof Segment && !(reps[i] instanceof AbstractSegment)) {
                    flags[1] = false;
                }
                boolean isLive = reps[i] instanceof Segment s ? filled.contains(s)
                        : prune((Group) reps[i], filled, remove, removed, flags);
                if (isLive) {
                    if (live != i) {
                        flags[0] = false; // a left-over between filled repetitions
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

    /** Lists every segment in {@code into}; false when one has field slots beyond its definition. */
    private boolean listSegments(Group group, ModelClassFactory factory, Set<Segment> into) throws HL7Exception {
        for (String name : group.getNames()) {
            for (Structure s : group.getAll(name)) {
                if (s instanceof Group child) {
                    if (!listSegments(child, factory, into)) {
                        return false;
                    }
                } else {
                    AbstractSegment segment = (AbstractSegment) s;
                    if (segment.numFields() != definedFields(segment, factory)) {
                        return false;
                    }
                    into.add(segment);
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
