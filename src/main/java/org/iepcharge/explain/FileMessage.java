package org.iepcharge.explain;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.iepcharge.hl7.Er7;

/**
 * One HL7 v2 message cut out of a file: segments terminated by CR, exactly the bytes that go on the wire.
 *
 * @param source    the file it came from (as given, for messages to the user)
 * @param index     1-based position of the message in that file
 * @param firstLine 1-based line of its MSH segment in the file
 * @param payload   the message bytes; the caller must not modify them
 */
public record FileMessage(String source, int index, int firstLine, byte[] payload) {

    /** MSH-10 read from the MSH segment, or "" when the field is empty. */
    public String controlId() {
        return Er7.of(payload).field("MSH-10").trim();
    }

    /** The payload as ISO-8859-1 text: byte-transparent, so it is safe for any charset when only ASCII is read. */
    public String latin1Text() {
        return new String(payload, StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileMessage m && index == m.index && firstLine == m.firstLine
                && source.equals(m.source) && Arrays.equals(payload, m.payload);
    }

    @Override
    public int hashCode() {
        return 31 * source.hashCode() + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        // Never the payload: it carries PHI.
        return "FileMessage[" + source + " #" + index + " line " + firstLine + ", " + payload.length + " bytes]";
    }
}
