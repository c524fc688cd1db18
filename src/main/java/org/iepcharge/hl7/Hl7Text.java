package org.iepcharge.hl7;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the bytes of one HL7 message into text: the charset MSH-18 names (else the configured default), a UTF-8 BOM
 * dropped, CR LF / LF separators turned into CR, leading and trailing blank lines removed. The MLLP codec cannot do
 * this itself: it decodes with one fixed charset and ignores MSH-18 (docs/transport-notes.md).
 */
public final class Hl7Text {

    private final Charset defaultCharset;

    public Hl7Text(Charset defaultCharset) {
        this.defaultCharset = defaultCharset;
    }

    /** Decodes and normalises one message. */
    public String decode(byte[] payload) {
        return decode(payload, charsetOf(payload));
    }

    /** Decodes with a charset already chosen by {@link #charsetOf(byte[])} (the edge needs both, once each). */
    public String decode(byte[] payload, Charset charset) {
        int start = hasUtf8Bom(payload) ? 3 : 0;
        return normaliseSeparators(strictDecode(payload, start, charset));
    }

    /** The charset a message is decoded with (also the one its ACK is encoded with). */
    public Charset charsetOf(byte[] payload) {
        return Hl7Charsets.of(payload, defaultCharset);
    }

    private String strictDecode(byte[] payload, int start, Charset charset) {
        if (isAsciiSuperset(charset) && isAscii(payload, start)) {
            // The usual frame: ASCII bytes in an ASCII-based charset decode to the same chars under ISO-8859-1, which
            // copies them straight into a compact string instead of through a CharBuffer.
            return new String(payload, start, payload.length - start, StandardCharsets.ISO_8859_1);
        }
        try {
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload, start, payload.length - start)).toString();
        } catch (CharacterCodingException e) {
            // A sender that says UTF-8 (or nothing) but sends Latin-1 bytes: keep every byte rather than lose a name.
            return new String(payload, start, payload.length - start, StandardCharsets.ISO_8859_1);
        }
    }

    private static boolean isAsciiSuperset(Charset charset) {
        return charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII)
                || charset.equals(StandardCharsets.ISO_8859_1);
    }

    private static boolean isAscii(byte[] payload, int start) {
        for (int i = start; i < payload.length; i++) {
            if (payload[i] < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasUtf8Bom(byte[] p) {
        return p.length >= 3 && (p[0] & 0xFF) == 0xEF && (p[1] & 0xFF) == 0xBB && (p[2] & 0xFF) == 0xBF;
    }

    /** CR-separated segments, blank lines and leading whitespace dropped, every segment ended by CR. */
    public static String normaliseSeparators(String text) {
        String cr = text.replace("\r\n", "\r").replace('\n', '\r');
        int from = 0;
        while (from < cr.length() && (cr.charAt(from) == '\r' || Character.isWhitespace(cr.charAt(from)))) {
            from++;
        }
        if (from == 0 && isNormal(cr)) {
            return cr; // the usual frame: nothing to drop, every segment already ended by CR
        }
        StringBuilder out = new StringBuilder(cr.length() + 1);
        for (int start = from; start < cr.length(); ) {
            int end = cr.indexOf('\r', start);
            if (end < 0) {
                end = cr.length();
            }
            if (!isBlank(cr, start, end)) {
                out.append(cr, start, end).append('\r');
            }
            start = end + 1;
        }
        return out.toString();
    }

    /** Ends with CR and holds no blank segment. */
    private static boolean isNormal(String cr) {
        if (cr.isEmpty() || cr.charAt(cr.length() - 1) != '\r') {
            return false;
        }
        for (int start = 0; start < cr.length(); ) {
            int end = cr.indexOf('\r', start);
            if (isBlank(cr, start, end)) {
                return false;
            }
            start = end + 1;
        }
        return true;
    }

    /** Like {@code String.isBlank} on a region (no supplementary code point is whitespace, so chars suffice). */
    private static boolean isBlank(String s, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
