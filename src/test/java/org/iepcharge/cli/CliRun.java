package org.iepcharge.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * Runs the command line the way {@link IepCommand#main} does — same entry, writing to the real {@link System#out}
 * and {@link System#err} — with both streams captured for the duration, and the exit code that {@code main} would
 * pass to {@code System.exit}.
 */
public record CliRun(int exit, String out, String err) {

    public static synchronized CliRun of(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Charset charset = Charset.defaultCharset();
        try {
            System.setOut(new PrintStream(out, false, charset));
            System.setErr(new PrintStream(err, false, charset));
            int exit = IepCommand.execute(args);
            System.out.flush();
            System.err.flush();
            return new CliRun(exit, out.toString(charset), err.toString(charset));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }
}
