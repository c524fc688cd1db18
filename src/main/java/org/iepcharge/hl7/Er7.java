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
 * <p>Paths are HAPI's ({@code Terser}): {@code SEG-field[-component[-subcomponent]]}, 1-based, a missing component
 * or subcomponent meaning the first, so {@code MSH-9} is {@code ORU} of {@code ORU^R01}; {@link #field(String)} gives
 * the whole field. For MSH, FHS and BHS field 1 is the field separator and field 2 the encoding characters, both
 * returned as written. The first segment of that name and the first repetition are read; the basic escapes
 * (\F\ \S\ \T\ \R\ \E\) are resolved.
 */
public final class Er7 {
    private final String text;
    private final Delimiters delimiters;
    /**
     * The last segment read, split into fields: {@link #msh()} reads a dozen MSH fields of every inbound frame, and
     * splitting the segment once for all of them (instead of once per field) was most of the edge's own cost
     * (BENCHMARKS.md, "HAPI costs"). One immutable holder, so an instance shared by threads at worst splits twice.
     */
    private SplitSegment lastRead;

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

    /** The value at a HAPI path ({@code MSH-10}, {@code MSA-1}, {@code ERR-3-2}); "" when absent or unreadable. */
    public String get(String path) {
        return read(path, true);
    }

    /** The whole first repetition of a field ({@code ERR-2} as {@code OBR^1^4}); "" when absent or unreadable. */
    public String field(String path) {
        return read(path, false);
    }

    private String read(String path, boolean firstComponentByDefault) {
        if (delimiters == null || path == null || path.length() < 5 || path.charAt(3) != '-') {
            return "";
        }
        // Parsed by hand, not with a regex: the edge reads a dozen header fields of every frame.
        int[] index = new int[3];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 4; i <= path.length(); i++) {
            char c = i < path.length() ? path.charAt(i) : '-';
            if (c == '-') {
                if (digits == 0 || value < 1 || part > 2) {
                    return "";
                }
                index[part++] = value;
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9' && digits < 3) {
                value = value * 10 + (c - '0');
                digits++;
            } else {
                return "";
            }
        }
        if (firstComponentByDefault) {
            index[1] = Math.max(index[1], 1);
            index[2] = Math.max(index[2], 1);
        } else if (part != 1) {
            return "";
        }
        String name = path.substring(0, 3);
        List<String> fields = fields(name);
        return fields == null ? "" : value(fields, name, index[0], index[1], index[2]);
    }

    private record SplitSegment(String name, List<String> fields) {
    }

    /** The fields of the first segment called {@code name} (index 0 is the name), null when there is none. */
    private List<String> fields(String name) {
        SplitSegment last = lastRead;
        if (last != null && last.name().equals(name)) {
            return last.fields();
        }
        String segment = segment(name);
        if (segment == null) {
            return null;
        }
        List<String> fields = splitOn(segment, delimiters.field());
        lastRead = new SplitSegment(name, fields);
        return fields;
    }

    /** The MSH fields needed before (and without) a full parse; empty when there is no readable MSH segment. */
    public Optional<MshFields> msh() {
        if (delimiters == null || segment("MSH") == null) {
            return Optional.empty();
        }
        // MSH-10 and the table values whole: a control ID is echoed exactly as sent, whatever it holds.
        return Optional.of(new MshFields(delimiters.field(), get("MSH-2"), get("MSH-3").trim(), get("MSH-4").trim(),
                get("MSH-5").trim(), get("MSH-6").trim(), get("MSH-9").trim(), get("MSH-9-2").trim(),
                field("MSH-10").trim(), get("MSH-11").trim(), get("MSH-12").trim(), field("MSH-15").trim(),
                field("MSH-16").trim(), field("MSH-18").trim()));
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

    private String value(List<String> fields, String name, int field, int component, int subcomponent) {
        boolean header = Delimiters.isHeader(name);
        if (header && field <= 2) {
            if (component > 1 || subcomponent > 1) { // a delimiter has no components
                return "";
            }
            return field == 1 ? String.valueOf(delimiters.field()) : delimiters.declared();
        }
        int at = header ? field - 1 : field;
        String value = at < fields.size() ? fields.get(at) : "";
        value = part(value, delimiters.repetition(), 1);
        if (component > 0) {
            value = part(value, delimiters.component(), component);
            if (subcomponent > 0) {
                value = part(value, delimiters.subcomponent(), subcomponent);
            }
        }
        return unescape(value);
    }

    /** The {@code n}th (1-based) part of {@code s} split on {@code separator}, "" when it has fewer parts. */
    private static String part(String s, char separator, int n) {
        int from = 0;
        for (int i = 1; i < n; i++) {
            int next = s.indexOf(separator, from);
            if (next < 0) {
                return "";
            }
            from = next + 1;
        }
        int end = s.indexOf(separator, from);
        return from == 0 && end < 0 ? s : s.substring(from, end < 0 ? s.length() : end);
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

        /** From a segment starting MSH, FHS or BHS and a separator that is not a letter, digit or space. */
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
