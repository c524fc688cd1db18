package org.iepcharge.cli;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.preparser.PreParser;
import org.apache.camel.component.hl7.HL7Charset;

/**
 * Reads single fields from raw HL7 bytes with HAPI's {@link PreParser}, which needs no model classes and does not
 * fail on content a full parse would reject, so a control ID can be reported even for a broken message.
 */
public final class Hl7Fields {
    private Hl7Fields() {
    }

    /** MSH-{@code field} of the message, "" if absent or unreadable. */
    public static String mshField(byte[] message, int field) {
        return field(message, "MSH-" + field);
    }

    /** One field by HAPI path (e.g. "MSA-1", "ERR-3-1"), "" if absent or unreadable. */
    public static String field(byte[] message, String path) {
        return fields(message, path)[0];
    }

    /** Several fields by HAPI path; each "" if absent. */
    public static String[] fields(byte[] message, String... paths) {
        // ISO-8859-1 maps every byte to one char, so ASCII delimiters are found whatever the real charset is.
        String text = new String(message, StandardCharsets.ISO_8859_1);
        String[] values;
        try {
            values = PreParser.getFields(text, paths);
        } catch (HL7Exception | RuntimeException e) {
            values = new String[paths.length];
        }
        for (int i = 0; i < values.length; i++) {
            values[i] = values[i] == null ? "" : values[i];
        }
        return values;
    }

    /** The charset MSH-18 names (first repetition), else UTF-8. */
    public static Charset charsetOf(byte[] message) {
        String name = mshField(message, 18);
        if (name.isBlank()) {
            return StandardCharsets.UTF_8;
        }
        // camel-hl7's table of HL7 table 0211 names (e.g. "8859/1", "UNICODE UTF-8") to Java charsets.
        HL7Charset known = HL7Charset.getHL7Charset(name.trim());
        try {
            return known == null ? StandardCharsets.UTF_8 : Charset.forName(known.getJavaCharsetName());
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
