package org.iepcharge.hl7;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one reader of raw HL7 v2 text (ER7) in this project: header fields before, or without, a HAPI parse — to pick
 * the charset, answer a message HAPI cannot parse, read an ACK's MSA, count a bench answer, file a DFT by its MSH-10.
 *
 * <p>Everything is read by the delimiters the message declares in its first segment (MSH, FHS or BHS: the field
 * separator, then MSH-2 with component, repetition, escape, subcomponent and — from v2.7 — truncation characters), so
 * {@code |^~\&#}, {@code ^~\&} with a {@code ^} field separator or a three-character MSH-2 are read as sent. HAPI's
 * own {@code PreParser} assumed four encoding characters and read nothing from a v2.7 header ({@code ^~\&#}).
 *
 * <p>Paths are HAPI's: {@code SEG-field[-component[-subcomponent]]}, 1-based; for MSH, FHS and BHS field 1 is the
 * field separator and field 2 the encoding characters, both returned as written. The first segment of that name and
 * the first repetition are read; the basic escapes (\F\ \S\ \T\ \R\ \E\) are resolved.
 */
public final class Er7 {
    private final String text;
    private final Delimiters delimiters;

    private Er7(String text) {
        this.text = text;
        this.delimiters = Delimiters.of(firstSegment(text)).orElse(null);
    }

    /** Text with CR, LF or CR LF segment ends (normalised to CR here). */
    public static Er7 of(String text) {
        String t = text == null ? "" : text;
        if (t.indexOf('\n') >= 0) {
            t = t.replace("\r\n", "\r").replace('\n', '\r');
        }
        if (!t.isEmpty() && t.charAt(0) == '\uFEFF') {
            t = t.substring(1);
        }
        return new Er7(t);
    }

    /**
     * Raw bytes through ISO-8859-1, which maps every byte to one char: every delimiter and code is ASCII, so fields are
     * found whatever charset MSH-18 names. Decode with {@link Hl7Text} for text that may hold names.
     */
    public static Er7 of(byte[] bytes) {
        int start = bytes != null && bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        return of(bytes == null ? "" : new String(bytes, start, bytes.length - start, StandardCharsets.ISO_8859_1));
    }

    /** The declared delimiters; empty when the text does not start with a readable MSH, FHS or BHS segment. */
    public Optional<Delimiters> delimiters() {
        return Optional.ofNullable(delimiters);
    }

    /** The name of the first segment ("MSH", "FHS", "BHS", …), "" when there is none. */
    public String firstSegmentName() {
        String first = firstSegment(text);
        return first.length() >= 3 ? first.substring(0, 3) : first;
    }

    /** The segments in order, as written (CR-separated lines, blank ones dropped). */
    public List<String> segments() {
        List<String> out = new ArrayList<>();
        for (String s : splitOn(text, '\r')) {
            if (!s.isBlank()) {
                out.add(s);
            }
        }
        return out;
    }

    /** The value at a HAPI-style path ({@code MSH-10}, {@code MSA-1}, {@code ERR-3-1}); "" when absent or unreadable. */
    public String get(String path) {
        if (delimiters == null || path == null) {
            return "";
        }
        String[] parts = path.split("-");
        if (parts.length < 2 || parts.length > 4) {
            return "";
        }
        int[] index = new int[3];
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) < 1) {
                return "";
            }
            index[i - 1] = Integer.parseInt(parts[i]);
        }
        String segment = segment(parts[0]);
        return segment == null ? "" : value(segment, parts[0], index[0], index[1], index[2]);
    }

    /** The MSH fields needed before (and without) a full parse; empty when there is no readable MSH segment. */
    public Optional<MshFields> msh() {
        if (delimiters == null || segment("MSH") == null) {
            return Optional.empty();
        }
        return Optional.of(new MshFields(delimiters.field(), get("MSH-2"), trimmed("MSH-3-1"), trimmed("MSH-4-1"),
                trimmed("MSH-5-1"), trimmed("MSH-6-1"), trimmed("MSH-9-1"), trimmed("MSH-9-2"), trimmed("MSH-10"),
                trimmed("MSH-11-1"), trimmed("MSH-12-1"), trimmed("MSH-15"), trimmed("MSH-16"), trimmed("MSH-18")));
    }

    private String trimmed(String path) {
        return get(path).trim();
    }

    private String segment(String name) {
        for (int from = 0; from < text.length(); ) {
            int end = text.indexOf('\r', from);
            if (end < 0) {
                end = text.length();
            }
            if (end - from >= 3 && text.startsWith(name, from)
                    && (end - from == 3 || text.charAt(from + 3) == delimiters.field())) {
                return text.substring(from, end);
            }
            from = end + 1;
        }
        return null;
    }

    private String value(String segment, String name, int field, int component, int subcomponent) {
        boolean header = Delimiters.isHeader(name);
        if (header && field <= 2) {
            if (component > 1 || subcomponent > 1) {
                return "";
            }
            return field == 1 ? String.valueOf(delimiters.field()) : delimiters.declared();
        }
        List<String> fields = splitOn(segment, delimiters.field());
        int at = header ? field - 1 : field;
        String value = at < fields.size() ? fields.get(at) : "";
        value = splitOn(value, delimiters.repetition()).get(0);
        if (component > 0) {
            List<String> components = splitOn(value, delimiters.component());
            value = component <= components.size() ? components.get(component - 1) : "";
            if (subcomponent > 0) {
                List<String> subs = splitOn(value, delimiters.subcomponent());
                value = subcomponent <= subs.size() ? subs.get(subcomponent - 1) : "";
            }
        }
        return unescape(value);
    }

    private String unescape(String value) {
        char esc = delimiters.escape();
        if (value.indexOf(esc) < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == esc && i + 2 < value.length() && value.charAt(i + 2) == esc) {
                Character resolved = switch (value.charAt(i + 1)) {
                    case 'F' -> delimiters.field();
                    case 'S' -> delimiters.component();
                    case 'T' -> delimiters.subcomponent();
                    case 'R' -> delimiters.repetition();
                    case 'E' -> esc;
                    default -> null;
                };
                if (resolved != null) {
                    out.append(resolved.charValue());
                    i += 2;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String firstSegment(String text) {
        int i = 0;
        while (i < text.length() && (text.charAt(i) == '\r' || Character.isWhitespace(text.charAt(i)))) {
            i++;
        }
        int cr = text.indexOf('\r', i);
        return cr < 0 ? text.substring(i) : text.substring(i, cr);
    }

    /** String.split without a regex, keeping empty trailing parts: this runs several times for every frame. */
    static List<String> splitOn(String s, char separator) {
        List<String> parts = new ArrayList<>(20);
        int from = 0;
        for (int i = s.indexOf(separator); i >= 0; i = s.indexOf(separator, from)) {
            parts.add(s.substring(from, i));
            from = i + 1;
        }
        parts.add(s.substring(from));
        return parts;
    }

    /**
     * The delimiters a header segment declares. Missing encoding characters take the HL7 defaults, so a header with
     * an empty or short MSH-2 is still read by its field separator.
     *
     * @param declared MSH-2 as written (may be shorter or longer than four characters)
     */
    public record Delimiters(char field, char component, char repetition, char escape, char subcomponent,
                             String declared) {

        static boolean isHeader(String segmentName) {
            return segmentName.equals("MSH") || segmentName.equals("FHS") || segmentName.equals("BHS");
        }

        /** Read from a segment starting MSH, FHS or BHS followed by a separator that is not a letter, digit or space. */
        static Optional<Delimiters> of(String headerSegment) {
            // Shorter than "MSH|^~\&" (or a three-character MSH-2 and its separator): no header to read.
            if (headerSegment.length() < 8 || !isHeader(headerSegment.substring(0, 3))) {
                return Optional.empty();
            }
            char fs = headerSegment.charAt(3);
            if (Character.isLetterOrDigit(fs) || Character.isWhitespace(fs)) {
                return Optional.empty();
            }
            int end = headerSegment.indexOf(fs, 4);
            String enc = end < 0 ? headerSegment.substring(4) : headerSegment.substring(4, end);
            return Optional.of(new Delimiters(fs, at(enc, 0, '^'), at(enc, 1, '~'), at(enc, 2, '\\'), at(enc, 3, '&'),
                    enc));
        }

        private static char at(String enc, int i, char fallback) {
            return i < enc.length() ? enc.charAt(i) : fallback;
        }
    }
}
