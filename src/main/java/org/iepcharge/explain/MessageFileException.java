package org.iepcharge.explain;

/** A message file that cannot be read or cut into messages; the text names the file (and the line, if known). */
public final class MessageFileException extends Exception {
    private final String file;
    private final int line;

    public MessageFileException(String file, int line, String problem) {
        super(file + (line > 0 ? " line " + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public MessageFileException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.line = 0;
    }

    public String file() {
        return file;
    }

    /** 1-based line of the problem, or 0 when it concerns the whole file. */
    public int line() {
        return line;
    }
}
