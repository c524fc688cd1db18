package org.iepcharge.hl7;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
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
 */
final class MshStructurePipeParser extends PipeParser {
    private final ReadWriteLock definitions = new ReentrantReadWriteLock();
    private final Set<Definition> defined = ConcurrentHashMap.newKeySet();

    /** HAPI's cache key: the message class and its name. */
    private record Definition(Class<?> type, String name) {
    }

    MshStructurePipeParser(HapiContext context) {
        super(context);
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
        Message m = instantiateMessage(structure, version, explicitlyNamed);
        m.setParser(this);
        parse(m, message);
        return m;
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
