package org.iepcharge.hl7;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.AbstractSegment;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.parser.EncodingCharacters;
import ca.uhn.hl7v2.parser.PipeParser;

/**
 * HAPI's {@link PipeParser}, choosing the message structure from the MSH segment alone. HAPI 2.6.0's
 * {@code PipeParser.doParse} reads MSH-9 by splitting the whole message on the field separator (its private
 * {@code getStructure} cuts the text at {@code max(indexOf(CR), length)}, which is always the whole text): a second
 * pass over every frame before the real one, 3–4 µs and 9 KB of the bench's ORM^O01 (BENCHMARKS.md, "HAPI costs").
 *
 * <p>This applies HAPI's own rule to MSH: MSH-9-3 when there are three components, {@code ACK} for an ACK, else
 * MSH-9-1_MSH-9-2 looked up as an event; then, as PipeParser does, it instantiates that structure and lets HAPI's
 * {@link PipeParser#parse(Message, String)} fill it. The result is the same: {@code Parser.parse} has already read
 * MSH-12 with {@code getVersion}, which refuses an MSH of fewer than 12 fields, so MSH-9 lies inside MSH, and split
 * on the same delimiter by the same {@link PipeParser#split} it is the same value. Checked against HAPI's stock parser
 * over the test data by {@code MshStructurePipeParserTest}.
 *
 * <p>Thread-safe, which HAPI's PipeParser is not quite: it caches the structure definition of each message class in a
 * plain HashMap, filled on the first parse of that class, so two threads parsing at once — one of them a new class —
 * could corrupt it (the LIS edge parses on every Camel thread with one parser). The first parse of a class here runs
 * alone (write lock); later ones only read the cache and run together (read lock).
 *
 * <p>{@link #reusing} parsers (the LIS edge's) parse each message into the thread's message of the same class from
 * the message before ({@link ReusedMessages}, where what HAPI keeps between parses and what is done about it is
 * set out); a message they return is valid until the next parse on the same thread.
 */
final class MshStructurePipeParser extends PipeParser {
    private final ReadWriteLock definitions = new ReentrantReadWriteLock();
    private final Set<Definition> defined = ConcurrentHashMap.newKeySet();
    /** Null: every parse on a new message, as HAPI's own PipeParser. */
    private final ReusedMessages reused;

    /** HAPI's cache key: the message class and its name. */
    private record Definition(Class<?> type, String name) {
    }

    MshStructurePipeParser(HapiContext context) {
        this(context, false);
    }

    private MshStructurePipeParser(HapiContext context, boolean reuse) {
        super(context);
        this.reused = reuse ? new ReusedMessages() : null;
    }

    /** A parser whose messages are parsed into again by the next message of their class on the same thread. */
    static MshStructurePipeParser reusing(HapiContext context) {
        return new MshStructurePipeParser(context, true);
    }

    @Override
    protected Message doParse(String message, String version) throws HL7Exception {
        String[] msh9 = msh9(message);
        String structure;
        boolean explicitlyNamed = true;
        if (msh9.length >= 3) {
            structure = msh9[2];
        } else if (msh9.length > 0 && "ACK".equals(msh9[0])) {
            structure = "ACK";
        } else if (msh9.length == 2) {
            structure = msh9[0] + "_" + msh9[1];
            explicitlyNamed = false; // HAPI then looks it up as an event (e.g. ORU^R30 is ORU_R30)
        } else {
            // HAPI's own text quotes MSH-9; this one does not, as it may reach a log.
            throw new HL7Exception("Can't determine message structure from MSH-9: only " + msh9.length
                    + " of 3 components present", ErrorCode.UNSUPPORTED_MESSAGE_TYPE);
        }
        if (reused != null) {
            Class<? extends Message> type = getFactory().getMessageClass(structure, version, explicitlyNamed);
            if (ReusedMessages.eligible(type)) {
                return parseReusing(type, message, structure, version, explicitlyNamed);
            }
        }
        return parseNew(message, structure, version, explicitlyNamed);
    }

    private Message parseNew(String message, String structure, String version, boolean explicitlyNamed)
            throws HL7Exception {
        Message m = instantiateMessage(structure, version, explicitlyNamed);
        m.setParser(this);
        parse(m, message);
        return m;
    }

    /**
     * Parses into the thread's message of this class when there is one (else a new one), recording the segments it
     * fills; then removes what the message before left beyond this one, and keeps the message for the next parse.
     */
    private Message parseReusing(Class<? extends Message> type, String message, String structure, String version,
                                 boolean explicitlyNamed) throws HL7Exception {
        ReusedMessages.PerThread thread = reused.current();
        Message m = reused.take(thread, type, getFactory());
        boolean again = m != null;
        if (!again) {
            m = instantiateMessage(structure, version, explicitlyNamed);
        }
        thread.filled.clear();
        thread.recording = true;
        try {
            m.setParser(this);
            parse(m, message);
        } finally {
            thread.recording = false;
        }
        ReusedMessages.LeftOvers left = ReusedMessages.removeLeftOvers(m, thread.filled, again);
        if (again && !left.inOrder()) {
            // Never seen: a left-over between filled repetitions cannot be removed without moving them. A new one.
            return parseNew(message, structure, version, explicitlyNamed);
        }
        if (again || left.removed() == 0) {
            reused.keep(thread, m, left);
        }
        return m;
    }

    /** Records the segment for {@link #parseReusing}, then HAPI's segment parse. */
    @Override
    public void parse(Segment destination, String segment, EncodingCharacters encodingChars, int repetition)
            throws HL7Exception {
        if (reused != null) {
            ReusedMessages.PerThread thread = reused.current();
            if (thread.recording) {
                thread.filled.add(destination);
                if (thread.kept.remove(destination)) {
                    ReusedMessages.emptyForParse((AbstractSegment) destination, segment,
                            encodingChars.getFieldSeparator());
                }
            }
        }
        super.parse(destination, segment, encodingChars, repetition);
    }

    @Override
    public void parse(Message message, String text) throws HL7Exception {
        Definition definition = new Definition(message.getClass(), message.getName());
        Lock lock = defined.contains(definition) ? definitions.readLock() : definitions.writeLock();
        lock.lock();
        try {
            super.parse(message, text);
        } finally {
            lock.unlock();
        }
        defined.add(definition);
    }

    /** MSH-9 split into components, read from MSH only (see the class comment). */
    private static String[] msh9(String message) throws HL7Exception {
        int cr = message.indexOf('\r');
        String msh = cr < 0 ? message : message.substring(0, cr);
        String[] fields = split(msh, String.valueOf(message.charAt(3)));
        if (fields.length < 9) {
            throw new HL7Exception("Can't find message structure (MSH-9-3)", ErrorCode.UNSUPPORTED_MESSAGE_TYPE);
        }
        return split(fields[8], String.valueOf(message.charAt(4)));
    }
}
