package org.iepcharge.hl7;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one MSH-18 table: HL7 table 0211 names, and the aliases LIS vendors send, to Java charsets — for reading a
 * message (the LIS listener, {@code send}, the billing stand-in) and for writing one (the DFT's MSH-18).
 */
public final class Hl7Charsets {
    /** Table 0211 for UTF-8, what the DFT's MSH-18 says when it holds non-ASCII text (an empty MSH-18 means ASCII). */
    public static final String UTF_8_NAME = "UNICODE UTF-8";

    private static final Map<String, Charset> TABLE_0211 = Map.ofEntries(
            Map.entry("ASCII", StandardCharsets.US_ASCII),
            Map.entry("8859/1", StandardCharsets.ISO_8859_1),
            Map.entry("ISO-8859-1", StandardCharsets.ISO_8859_1),
            Map.entry("ISO8859-1", StandardCharsets.ISO_8859_1),
            Map.entry("8859/15", Charset.forName("ISO-8859-15")),
            Map.entry(UTF_8_NAME, StandardCharsets.UTF_8),
            Map.entry("UTF-8", StandardCharsets.UTF_8),
            Map.entry("UTF8", StandardCharsets.UTF_8),
            Map.entry("UNICODE", StandardCharsets.UTF_8),
            Map.entry("WINDOWS-1252", Charset.forName("windows-1252")),
            Map.entry("CP1252", Charset.forName("windows-1252")));

    private Hl7Charsets() {
    }

    /** The charset an MSH-18 value names: table 0211, else a Java charset name; empty when blank or unknown. */
    public static Optional<Charset> forName(String msh18) {
        String named = msh18 == null ? "" : msh18.trim().toUpperCase(Locale.ROOT);
        if (named.isEmpty()) {
            return Optional.empty();
        }
        Charset charset = TABLE_0211.get(named);
        if (charset != null) {
            return Optional.of(charset);
        }
        try {
            return Charset.isSupported(named) ? Optional.of(Charset.forName(named)) : Optional.empty();
        } catch (IllegalArgumentException illegalName) {
            // A name Java cannot even parse (e.g. "UTF|8" in a mangled MSH-18): unknown, as for any other.
            return Optional.empty();
        }
    }

    /** The charset a raw message's MSH-18 names (a UTF-8 BOM says UTF-8), else {@code fallback}. */
    public static Charset of(byte[] message, Charset fallback) {
        if (message != null && message.length >= 3 && (message[0] & 0xFF) == 0xEF && (message[1] & 0xFF) == 0xBB
                && (message[2] & 0xFF) == 0xBF) {
            return StandardCharsets.UTF_8;
        }
        return forName(Er7.of(firstLine(message)).field("MSH-18")).orElse(fallback);
    }

    /** Only the first line: MSH-18 is in it, and the rest of a 10 MB frame need not be copied to find it. */
    private static byte[] firstLine(byte[] message) {
        if (message == null) {
            return new byte[0];
        }
        int end = 0;
        while (end < message.length && message[end] != '\r' && message[end] != '\n') {
            end++;
        }
        return java.util.Arrays.copyOf(message, end);
    }
}
