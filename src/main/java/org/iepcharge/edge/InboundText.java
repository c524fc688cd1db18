package org.iepcharge.edge;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the bytes of one MLLP frame into HL7 text: the charset MSH-18 names (else the configured default), a UTF-8 BOM
 * dropped, CR LF / LF separators turned into CR, trailing blank lines removed. The MLLP codec cannot do this itself:
 * it decodes with one fixed charset and ignores MSH-18 (docs/transport-notes.md).
 */
public final class InboundText {

    /** HL7 table 0211 names and the aliases LIS vendors send, mapped to Java charsets. */
    private static final Map<String, Charset> HL7_CHARSETS = Map.ofEntries(
            Map.entry("ASCII", StandardCharsets.US_ASCII),
            Map.entry("8859/1", StandardCharsets.ISO_8859_1),
            Map.entry("ISO-8859-1", StandardCharsets.ISO_8859_1),
            Map.entry("ISO8859-1", StandardCharsets.ISO_8859_1),
            Map.entry("8859/15", Charset.forName("ISO-8859-15")),
            Map.entry("UNICODE UTF-8", StandardCharsets.UTF_8),
            Map.entry("UTF-8", StandardCharsets.UTF_8),
            Map.entry("UTF8", StandardCharsets.UTF_8),
            Map.entry("UNICODE", StandardCharsets.UTF_8),
            Map.entry("WINDOWS-1252", Charset.forName("windows-1252")),
            Map.entry("CP1252", Charset.forName("windows-1252")));

    private final Charset defaultCharset;

    public InboundText(Charset defaultCharset) {
        this.defaultCharset = defaultCharset;
    }

    /** Decodes and normalises one frame's payload. */
    public String decode(byte[] payload) {
        return decode(payload, charsetOf(payload));
    }

    /** Decodes with a charset already chosen by {@link #charsetOf(byte[])} (the edge needs both, once each). */
    public String decode(byte[] payload, Charset charset) {
        int start = hasUtf8Bom(payload) ? 3 : 0;
        return normaliseSeparators(strictDecode(payload, start, charset));
    }

    /** The charset a frame is decoded with (also the one its ACK is encoded with). */
    public Charset charsetOf(byte[] payload) {
        return hasUtf8Bom(payload) ? StandardCharsets.UTF_8 : charsetOf(payload, 0);
    }

    /** The charset MSH-18 names, read from the ASCII-compatible MSH segment; the default when absent or unknown. */
    Charset charsetOf(byte[] payload, int start) {
        String msh = firstSegmentAscii(payload, start);
        MshFields fields = MshReader.read(msh);
        String named = fields == null ? "" : fields.characterSet().toUpperCase(Locale.ROOT);
        if (named.isEmpty()) {
            return defaultCharset;
        }
        Charset charset = HL7_CHARSETS.get(named);
        if (charset == null) {
            try {
                charset = Charset.isSupported(named) ? Charset.forName(named) : null;
            } catch (IllegalArgumentException illegalName) {
                // A name Java cannot even parse (e.g. "UTF|8" in a mangled MSH-18): the default, as for an unknown one.
                charset = null;
            }
        }
        return charset == null ? defaultCharset : charset;
    }

    private String strictDecode(byte[] payload, int start, Charset charset) {
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

    private static boolean hasUtf8Bom(byte[] p) {
        return p.length >= 3 && (p[0] & 0xFF) == 0xEF && (p[1] & 0xFF) == 0xBB && (p[2] & 0xFF) == 0xBF;
    }

    private static String firstSegmentAscii(byte[] payload, int start) {
        int end = start;
        while (end < payload.length && payload[end] != '\r' && payload[end] != '\n') {
            end++;
        }
        return new String(payload, start, end - start, StandardCharsets.ISO_8859_1);
    }

    static String normaliseSeparators(String text) {
        String cr = text.replace("\r\n", "\r").replace('\n', '\r');
        int from = 0;
        while (from < cr.length() && (cr.charAt(from) == '\r' || Character.isWhitespace(cr.charAt(from)))) {
            from++;
        }
        StringBuilder out = new StringBuilder(cr.length() + 1);
        for (String segment : cr.substring(from).split("\r")) {
            if (!segment.isBlank()) {
                out.append(segment).append('\r');
            }
        }
        return out.toString();
    }
}
