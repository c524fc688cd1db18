package org.iepcharge.billing;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.Terser;
import org.iepcharge.hl7.HapiContexts;
import org.iepcharge.hl7.Hl7Charsets;

/**
 * Reads billing's ACK with HAPI (no validation: we only need MSA and ERR). The error code is ERR-3 (v2.5 and later)
 * or ERR-1-4 (v2.3's ELD form); the reason is ERR-8, else MSA-3, else the code's text.
 */
public final class BillingAnswerReader {
    private final PipeParser parser = HapiContexts.create().getPipeParser();

    /** The answer, or empty when the bytes are not a readable ACK. */
    public Optional<BillingAnswer> read(byte[] ack) {
        if (ack == null || ack.length == 0) {
            return Optional.empty();
        }
        String text = new String(ack, Hl7Charsets.of(ack, StandardCharsets.UTF_8))
                .replace("\r\n", "\r").replace('\n', '\r');
        try {
            Message message = parser.parse(text);
            Terser terser = new Terser(message);
            String code = value(terser, "/MSA-1");
            if (code.isEmpty()) {
                return Optional.empty();
            }
            String err3 = value(terser, "/ERR-3-1");
            if (err3.isEmpty()) {
                err3 = value(terser, "/ERR-1-4-1");
            }
            String reason = value(terser, "/ERR-8");
            if (reason.isEmpty()) {
                reason = value(terser, "/MSA-3");
            }
            if (reason.isEmpty()) {
                // No free text: the code's own text (v2.5 ERR-3-2, v2.3 ERR-1-4-2), so a parked DFT says why.
                reason = value(terser, "/ERR-3-2");
            }
            if (reason.isEmpty()) {
                reason = value(terser, "/ERR-1-4-2");
            }
            return Optional.of(new BillingAnswer(code, value(terser, "/MSA-2"),
                    err3.matches("\\d{1,4}") ? Integer.parseInt(err3) : 0, reason));
        } catch (HL7Exception | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String value(Terser terser, String path) {
        try {
            String v = terser.get(path);
            return v == null ? "" : v.trim();
        } catch (HL7Exception | RuntimeException e) {
            return "";
        }
    }
}
