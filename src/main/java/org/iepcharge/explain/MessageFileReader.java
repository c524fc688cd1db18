package org.iepcharge.explain;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Cuts files of HL7 v2 messages into single messages, the way interface analysts keep them: several messages per file,
 * CR, LF or CRLF line ends, a UTF-8 BOM from an editor, FHS/BHS/BTS/FTS batch envelopes, MLLP frame bytes left over
 * from a capture.
 *
 * <p>Works on bytes, not text: every delimiter is ASCII, so the content passes unchanged whatever charset MSH-18
 * names, and a message is sent exactly as written (only the line ends become CR).
 */
public final class MessageFileReader {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte MLLP_START = 0x0b;
    private static final byte MLLP_END = 0x1c;
    private static final byte TAB = '\t';

    private MessageFileReader() {
    }

    /** The files under the given files or folders: folders recursively, each folder's files sorted by path name. */
    public static List<Path> collectFiles(List<Path> paths) throws MessageFileException {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> tree = Files.walk(path)) {
                    tree.filter(Files::isRegularFile)
                            .filter(p -> !p.getFileName().toString().startsWith("."))
                            .sorted(Comparator.comparing(Path::toString))
                            .forEach(files::add);
                } catch (IOException | java.io.UncheckedIOException e) {
                    throw new MessageFileException(path.toString(), "cannot list folder", e);
                }
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else {
                throw new MessageFileException(path.toString(), 0, "no such file or folder");
            }
        }
        return files;
    }

    /**
     * What a folder of message files held: the messages of every readable file, the files that hold no MSH segment
     * at all (notes, a README — skipped, not errors) and the problems of the files that hold messages but cannot be
     * read or cut (each names the file and the line). One bad file never hides the messages of the others.
     */
    public record Collected(List<FileMessage> messages, List<Path> skipped, List<MessageFileException> problems) {
    }

    /** Reads every file under {@code paths} (see {@link #collectFiles}), never stopping at a bad one. */
    public static Collected readAll(List<Path> paths) {
        List<FileMessage> messages = new ArrayList<>();
        List<Path> skipped = new ArrayList<>();
        List<MessageFileException> problems = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            try {
                files.addAll(collectFiles(List.of(path)));
            } catch (MessageFileException e) {
                problems.add(e);
            }
        }
        for (Path file : files) {
            byte[] content;
            try {
                content = Files.readAllBytes(file);
            } catch (IOException e) {
                problems.add(new MessageFileException(file.toString(), "cannot read file ("
                        + e.getClass().getSimpleName() + ")", e));
                continue;
            }
            if (!holdsMshSegment(content)) {
                skipped.add(file);
                continue;
            }
            try {
                messages.addAll(split(file.toString(), content));
            } catch (MessageFileException e) {
                problems.add(e);
            }
        }
        return new Collected(messages, skipped, problems);
    }

    /**
     * True when some line starts with {@code MSH} and a field separator (after a BOM or an MLLP start byte): the
     * file is meant to hold HL7 messages, so a problem in it is an error rather than a reason to skip it.
     */
    static boolean holdsMshSegment(byte[] content) {
        int pos = skipBom(content);
        while (pos < content.length) {
            int start = pos < content.length && content[pos] == MLLP_START ? pos + 1 : pos;
            int end = start;
            while (end < content.length && content[end] != CR && content[end] != LF) {
                end++;
            }
            if (startsSegment(content, start, end, "MSH")) {
                return true;
            }
            pos = end + 1;
        }
        return false;
    }

    /** Reads one file and cuts it into messages. */
    public static List<FileMessage> read(Path file) throws MessageFileException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new MessageFileException(file.toString(), "cannot read file (" + e.getClass().getSimpleName() + ")", e);
        }
        return split(file.toString(), content);
    }

    /**
     * Cuts file content into messages. Pure: no I/O.
     *
     * @param source  the name used in messages and errors
     * @param content the raw file bytes
     * @throws MessageFileException when there is no MSH segment, content precedes the first MSH, or a line is not an
     *                              HL7 segment (binary data, a wrapped line)
     */
    public static List<FileMessage> split(String source, byte[] content) throws MessageFileException {
        List<FileMessage> messages = new ArrayList<>();
        ByteArrayOutputStream current = null;
        int currentLine = 0;
        int lineNo = 0;
        int pos = skipBom(content);
        while (pos < content.length) {
            int end = pos;
            while (end < content.length && content[end] != CR && content[end] != LF) {
                end++;
            }
            lineNo++;
            int start = pos;
            pos = end < content.length && content[end] == CR && end + 1 < content.length && content[end + 1] == LF
                    ? end + 2 : end + 1;

            // A capture may keep the MLLP frame bytes: VT before MSH, FS (CR) after the last segment.
            if (start < end && content[start] == MLLP_START) {
                start++;
            }
            if (end > start && content[end - 1] == MLLP_END) {
                end--;
            }
            if (isBlank(content, start, end)) {
                continue;
            }
            checkPrintable(source, lineNo, content, start, end);
            if (startsSegment(content, start, end, "MSH")) {
                if (current != null) {
                    messages.add(new FileMessage(source, messages.size() + 1, currentLine, current.toByteArray()));
                }
                current = new ByteArrayOutputStream();
                currentLine = lineNo;
            } else if (isBatchEnvelope(content, start, end)) {
                // Envelope segments are not part of any message; a batch ends the message before it.
                if (current != null) {
                    messages.add(new FileMessage(source, messages.size() + 1, currentLine, current.toByteArray()));
                    current = null;
                }
                continue;
            } else if (!looksLikeSegment(content, start, end)) {
                throw new MessageFileException(source, lineNo, "not an HL7 segment (expected a 3-character segment ID"
                        + " and a field separator; a line break inside a field?)");
            } else if (current == null) {
                throw new MessageFileException(source, lineNo, "segment before the first MSH segment");
            }
            current.write(content, start, end - start);
            current.write(CR);
        }
        if (current != null) {
            messages.add(new FileMessage(source, messages.size() + 1, currentLine, current.toByteArray()));
        }
        if (messages.isEmpty()) {
            throw new MessageFileException(source, 0, "no HL7 message found (no line starts with MSH)");
        }
        return messages;
    }

    private static int skipBom(byte[] content) {
        return content.length >= 3 && (content[0] & 0xff) == 0xef && (content[1] & 0xff) == 0xbb
                && (content[2] & 0xff) == 0xbf ? 3 : 0;
    }

    private static boolean isBlank(byte[] b, int start, int end) {
        for (int i = start; i < end; i++) {
            if (b[i] != ' ' && b[i] != TAB) {
                return false;
            }
        }
        return true;
    }

    /** Control bytes never belong in HL7 text; they mean a binary or corrupted file. */
    private static void checkPrintable(String source, int lineNo, byte[] b, int start, int end)
            throws MessageFileException {
        for (int i = start; i < end; i++) {
            int c = b[i] & 0xff;
            if ((c < 0x20 && c != TAB) || c == 0x7f) {
                throw new MessageFileException(source, lineNo, String.format(
                        "unreadable content: control byte 0x%02X at column %d (not a text HL7 file?)", c, i - start + 1));
            }
        }
    }

    /** MSH followed by its field separator: any character that is not a letter, digit or blank. */
    private static boolean startsSegment(byte[] b, int start, int end, String id) {
        if (end - start < 4) {
            return false;
        }
        for (int i = 0; i < 3; i++) {
            if (b[start + i] != id.charAt(i)) {
                return false;
            }
        }
        return isSeparator(b[start + 3]);
    }

    private static boolean isBatchEnvelope(byte[] b, int start, int end) {
        for (String id : new String[] {"FHS", "BHS", "BTS", "FTS"}) {
            if (startsSegment(b, start, end, id) || (end - start == 3 && startsWith(b, start, id))) {
                return true;
            }
        }
        return false;
    }

    /** A segment: three upper-case letters or digits, then a separator or nothing (an empty segment such as "NTE"). */
    private static boolean looksLikeSegment(byte[] b, int start, int end) {
        if (end - start < 3) {
            return false;
        }
        for (int i = start; i < start + 3; i++) {
            if (!((b[i] >= 'A' && b[i] <= 'Z') || (b[i] >= '0' && b[i] <= '9'))) {
                return false;
            }
        }
        return end - start == 3 || isSeparator(b[start + 3]);
    }

    private static boolean startsWith(byte[] b, int start, String id) {
        for (int i = 0; i < id.length(); i++) {
            if (b[start + i] != id.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSeparator(byte c) {
        return c > 0x20 && c < 0x7f && !Character.isLetterOrDigit((char) c);
    }
}
