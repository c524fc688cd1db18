package org.iepcharge.billing;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.Terser;
import org.iepcharge.hl7.HapiContexts;
import org.iepcharge.hl7.Hl7Charsets;

/**
 * Reads billing's ACK with HAPI (no validation: we only need MSA and ERR). The error code is ERR-3 (v2.5 and later)
 * or ERR-1-4 (v2.3's ELD form); the reason is ERR-8, else MSA-3, else the code's text.
 *
 * <p>A full HAPI parse, into each thread's ACK from the answer before ({@link HapiContexts#edgeParser()}, as the LIS
 * edge parses): making the ACK's segments anew by reflection was a third of the read (BENCHMARKS.md, "Outbox thread,
 * fourth pass"). The message is read into a {@link BillingAnswer} at once and nothing of it is kept, as the reused
 * message is only valid until the next parse on the thread. Thread-safe: every billing connection's route calls one
 * reader.
 */
public final class BillingAnswerReader {
    /** Compiled once: String.matches compiles its pattern on every call. */
    private static final Pattern ERROR_CODE = Pattern.compile("\\d{1,4}");

    private final PipeParser parser;

    public BillingAnswerReader() {
        this(HapiContexts.edgeParser());
    }

    /** On another parser: the tests compare with a new message per parse ({@link HapiContexts#parser()}). */
    BillingAnswerReader(PipeParser parser) {
        this.parser = parser;
    }

    /** The answer, or empty when the bytes are not a readable ACK. */
    public Optional<BillingAnswer> read(byte[] ack) {
        if (ack == null || ack.length == 0) {
            return Optional.empty();
        }
        String text = new String(ack, Hl7Charsets.of(ack, StandardCharsets.UTF_8))
                .replace("\r\n", "\r").replace('\n', '\r');
        try {
            Message message = parser.parse(text);
            String code = value(message, "MSA", 1, 1, 1);
            if (code.isEmpty()) {
                return Optional.empty();
            }
            String err3 = value(message, "ERR", 3, 1, 1);
            if (err3.isEmpty()) {
                err3 = value(message, "ERR", 1, 4, 1);
            }
            String reason = value(message, "ERR", 8, 1, 1);
            if (reason.isEmpty()) {
                reason = value(message, "MSA", 3, 1, 1);
            }
            if (reason.isEmpty()) {
                // No free text: the code's own text (v2.5 ERR-3-2, v2.3 ERR-1-4-2), so a parked DFT says why.
                reason = value(message, "ERR", 3, 2, 1);
            }
            if (reason.isEmpty()) {
                reason = value(message, "ERR", 1, 4, 2);
            }
            return Optional.of(new BillingAnswer(code, value(message, "MSA", 2, 1, 1),
                    ERROR_CODE.matcher(err3).matches() ? Integer.parseInt(err3) : 0, reason));
        } catch (HL7Exception | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * What Terser's {@code /SEG-field-component-subcomponent} gives (first repetitions; the segment a direct child of
     * the message), by position: a Terser path names its segment by pattern, and matching that pattern compiled
     * regular expressions on every call — half the cost of reading an ACK (BENCHMARKS.md, "HAPI costs").
     */
    private static String value(Message message, String segment, int field, int component, int subcomponent) {
        try {
            // Absent is empty, as Terser would say, but without making what is absent: message.get("ERR") on an AA
            // instantiates ERR by reflection, and Terser.get makes the field's whole composite (CWE: 9 components).
            Structure[] reps = message.getAll(segment);
            if (reps.length == 0 || ((Segment) reps[0]).getField(field).length == 0) {
                return "";
            }
            String v = Terser.get((Segment) reps[0], field, 0, component, subcomponent);
            return v == null ? "" : v.trim();
        } catch (HL7Exception | RuntimeException e) {
            return "";
        }
    }
}
