package org.iepcharge.edge;

/**
 * Reads the header fields of an MSH segment by its own declared separators (MSH-1, MSH-2). HAPI's parser needs a
 * known version and structure to get this far; the edge must answer messages that have neither.
 */
public final class MshReader {
    private MshReader() {
    }

    /** The fields of {@code mshSegment}, or null when it is not an MSH segment. */
    public static MshFields read(String mshSegment) {
        if (mshSegment == null || mshSegment.length() < 8 || !mshSegment.startsWith("MSH")) {
            return null;
        }
        char fs = mshSegment.charAt(3);
        if (Character.isLetterOrDigit(fs) || Character.isWhitespace(fs)) {
            return null;
        }
        String[] fields = split(mshSegment, fs);
        String enc = field(fields, 1);
        char cs = enc.isEmpty() ? '^' : enc.charAt(0);
        return new MshFields(fs, enc,
                component(field(fields, 2), cs, 0), component(field(fields, 3), cs, 0),
                component(field(fields, 4), cs, 0), component(field(fields, 5), cs, 0),
                component(field(fields, 8), cs, 0), component(field(fields, 8), cs, 1),
                field(fields, 9).trim(), component(field(fields, 10), cs, 0),
                component(field(fields, 11), cs, 0), firstRepetition(field(fields, 17), enc));
    }

    /** The first segment of normalised (CR-separated) HL7 text. */
    public static String firstSegment(String text) {
        int cr = text.indexOf('\r');
        return cr < 0 ? text : text.substring(0, cr);
    }

    // fields[0] is "MSH"; fields[1] the encoding characters (MSH-2), so fields[n] is MSH-(n+1).
    private static String[] split(String segment, char fs) {
        return splitOn(segment, fs).toArray(String[]::new);
    }

    /** String.split without a regex: this runs for every frame, several times. */
    private static java.util.List<String> splitOn(String s, char separator) {
        java.util.List<String> parts = new java.util.ArrayList<>(20);
        int from = 0;
        for (int i = s.indexOf(separator); i >= 0; i = s.indexOf(separator, from)) {
            parts.add(s.substring(from, i));
            from = i + 1;
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static String field(String[] fields, int index) {
        return index < fields.length ? fields[index] : "";
    }

    private static String component(String field, char cs, int index) {
        java.util.List<String> parts = splitOn(field, cs);
        return index < parts.size() ? parts.get(index).trim() : "";
    }

    private static String firstRepetition(String field, String enc) {
        if (enc.length() < 2) {
            return field.trim();
        }
        int rep = field.indexOf(enc.charAt(1));
        return (rep < 0 ? field : field.substring(0, rep)).trim();
    }
}
