package org.iepcharge.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import org.iepcharge.explain.FileMessage;
import org.iepcharge.explain.MessageFileReader;
import org.iepcharge.explain.MessageFileException;

/** {@code send}: sends HL7 files or folders over MLLP and reports each ACK. */
@Command(name = "send", description = {
        "Send HL7 v2 messages from files or folders over MLLP (camel-mllp) and report each ACK.",
        "A file may hold several messages (split at each MSH; FHS/BHS/BTS/FTS envelopes dropped; CR, LF or CRLF).",
        "Files that hold no MSH segment (a README, notes) are listed and skipped. A file that cannot be read is"
                + " reported and the other files are still sent.",
        "Exit code: 0 if every message was answered AA (or CA), 1 if any AE/AR/other or no answer,"
                + " 2 if a file could not be read (or the options are wrong)."},
        sortOptions = false)
final class SendCommand implements Callable<Integer> {
    static final int EXIT_NOT_ALL_ACCEPTED = 1;
    static final int EXIT_BAD_INPUT = 2;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or folders (recursive, sorted by name).")
    List<Path> paths;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Receiver host (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", required = true, description = "Receiver MLLP port.")
    int port;

    @Option(names = "--timeout-ms", defaultValue = "15000",
            description = "Connect and ACK wait per message, in ms (default: ${DEFAULT-VALUE}).")
    int timeoutMs;

    @Option(names = "--progress-every", defaultValue = "100",
            description = "Print progress to stderr every N messages when there are more than N (default: ${DEFAULT-VALUE}).")
    int progressEvery;

    @Override
    public Integer call() {
        try (CliLogging quiet = CliLogging.quiet("org.apache.camel")) {
            return sendAll();
        }
    }

    private int sendAll() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        if (timeoutMs <= 0 || port <= 0 || port > 65535) {
            err.println("error: --port must be 1-65535 and --timeout-ms positive");
            return EXIT_BAD_INPUT;
        }
        // Files that hold no MSH segment (a README beside the messages) are listed and skipped; a file that holds
        // messages but cannot be read is reported and counted, and the others are still sent.
        MessageFileReader.Collected input = MessageFileReader.readAll(paths);
        for (Path skipped : input.skipped()) {
            out.println("skipped " + skipped + ": no MSH segment");
        }
        for (MessageFileException problem : input.problems()) {
            err.println("error: " + problem.getMessage());
        }
        err.flush();
        List<FileMessage> messages = input.messages();
        if (messages.isEmpty() && input.problems().isEmpty()) {
            err.println("error: no HL7 message found in " + paths.stream().map(Path::toString)
                    .collect(java.util.stream.Collectors.joining(" ")) + " (no file holds an MSH segment)");
            return EXIT_BAD_INPUT;
        }
        AckTally tally = new AckTally();
        int sent = 0;
        try (MllpSender sender = new MllpSender(host, port, timeoutMs)) {
            for (FileMessage message : messages) {
                SendOutcome outcome = sender.send(message.payload());
                sent++;
                tally.add(outcome, message.controlId());
                out.println(line(message, outcome));
                out.flush();
                if (outcome.connectionFailed()) {
                    err.println("error: cannot connect to " + host + ":" + port + "; stopped after " + (sent - 1)
                            + " of " + messages.size() + " messages");
                    break;
                }
                if (messages.size() > progressEvery && progressEvery > 0 && sent % progressEvery == 0) {
                    err.println("progress: " + sent + " of " + messages.size() + " sent");
                    err.flush();
                }
            }
        } catch (RuntimeException e) {
            // Camel failing to start the producer context: report it without a stack trace.
            err.println("error: cannot start the MLLP sender: " + e.getClass().getSimpleName());
            tally.addNotSent(messages.size() - sent);
            out.println(summary(tally, input));
            return EXIT_NOT_ALL_ACCEPTED;
        }
        tally.addNotSent(messages.size() - sent);
        out.println(summary(tally, input));
        out.flush();
        if (!input.problems().isEmpty()) {
            err.println("error: " + input.problems().size() + " file(s) could not be read; their messages were not"
                    + " sent");
            return EXIT_BAD_INPUT;
        }
        return tally.allAccepted() ? 0 : EXIT_NOT_ALL_ACCEPTED;
    }

    /** The ACK tally, then the files that were skipped or could not be read, when there were any. */
    private static String summary(AckTally tally, MessageFileReader.Collected input) {
        String text = tally.toString();
        if (!input.skipped().isEmpty()) {
            text += "; skipped " + input.skipped().size() + " file(s) without MSH";
        }
        if (!input.problems().isEmpty()) {
            text += "; unreadable " + input.problems().size() + " file(s)";
        }
        return text;
    }

    private static String line(FileMessage message, SendOutcome outcome) {
        String controlId = message.controlId();
        StringBuilder line = new StringBuilder()
                .append(message.source()).append(" #").append(message.index())
                .append(" MSH-10=").append(controlId.isEmpty() ? "-" : controlId);
        if (outcome.answered()) {
            line.append(" MSA-1=").append(outcome.ackCode());
            if (!outcome.errorCode().isEmpty()) {
                line.append(" ERR-3=").append(outcome.errorCode());
            }
            if (!outcome.ackControlId().equals(controlId)) {
                // camel-mllp does not check MSA-2; a mismatch means a stale or foreign ACK.
                line.append(" WARNING MSA-2=").append(outcome.ackControlId()).append(" does not match MSH-10");
            }
        } else {
            line.append(" NO ANSWER (").append(outcome.problem()).append(')');
        }
        return line.toString();
    }
}
