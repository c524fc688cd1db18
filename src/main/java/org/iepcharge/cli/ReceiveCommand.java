package org.iepcharge.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import org.iepcharge.billing.local.BillingReceiver;
import org.iepcharge.billing.local.ReceivedMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code receive}: a billing receiver that files every message and answers with a chosen ACK code. */
@Command(name = "receive", description = {
        "Act as a billing system: listen for MLLP, file each message as DIR/<sequence>-<MSH-10>.hl7 and answer"
                + " with the chosen ACK code. Runs until Ctrl-C."},
        sortOptions = false)
final class ReceiveCommand implements Callable<Integer> {
    enum Answer { AA, AE, AR }

    @Spec
    CommandSpec spec;

    @Option(names = "--port", required = true, description = "Port to listen on.")
    int port;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for received messages.")
    Path out;

    @Option(names = "--answer", defaultValue = "AA", description = "MSA-1 to answer: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Answer answer;

    @Option(names = "--error-code", defaultValue = "207", paramLabel = "ERR-3",
            description = "ERR-3 of AE/AR answers (HL7 table 0357): 206 or 207 ask the sender to retry; others,"
                    + " e.g. 103 or 204, refuse the content (default: ${DEFAULT-VALUE}).")
    int errorCode;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on; 0.0.0.0 for all interfaces (default: ${DEFAULT-VALUE}).")
    String host;

    @Override
    public Integer call() throws InterruptedException {
        // Runs until the JVM stops, so the quieter levels are never restored; the per-message line replaces the log line.
        CliLogging.quiet("org.apache.camel", BillingReceiver.class.getName());
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Optional<ErrorCode> error = errorCode(errorCode);
        if (error.isEmpty()) {
            stderr.println("error: --error-code " + errorCode + " is not an HL7 table 0357 code ("
                    + Arrays.stream(ErrorCode.values()).filter(c -> c.getCode() != 0)
                    .map(c -> String.valueOf(c.getCode())).collect(Collectors.joining(", ")) + ")");
            return 2;
        }
        BillingReceiver receiver = new BillingReceiver(host).onMessage(m -> {
            stdout.println(line(m));
            stdout.flush();
        });
        try (CliLogging startup = CliLogging.silence("org.apache.camel")) {
            receiver.start(port, out, AcknowledgmentCode.valueOf(answer.name()));
            receiver.setAnswer(AcknowledgmentCode.valueOf(answer.name()), error.get());
        } catch (java.io.IOException e) {
            // Thrown directly only by the folder checks; bind failures come wrapped by Camel.
            stderr.println("error: cannot use folder " + out + " (" + e.getClass().getSimpleName() + ")");
            return 1;
        } catch (Exception e) {
            stderr.println("error: cannot listen on " + host + ":" + port + " (" + rootReason(e) + ")");
            return 1;
        }
        stderr.println("listening on " + host + ":" + port + ", filing into " + out + ", answering " + answer
                + "; Ctrl-C to stop");
        stderr.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            receiver.stop();
            stderr.println("stopped: received " + receiver.receivedCount() + ", redeliveries "
                    + receiver.redeliveryCount());
            stderr.flush();
            stopped.countDown();
        }, "receive-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return 0;
    }

    /** The HL7 table 0357 code with this number (0, "message accepted", is no error). */
    static Optional<ErrorCode> errorCode(int code) {
        return Arrays.stream(ErrorCode.values())
                .filter(c -> c.getCode() == code && code != 0).findFirst();
    }

    static String line(ReceivedMessage m) {
        String id = m.controlId().isEmpty() ? "-" : m.controlId();
        String where = m.file() == null ? "NOT STORED" : m.file().getFileName().toString();
        return where + " MSH-10=" + id + " " + m.messageType() + " answered " + m.answer()
                + (m.redelivery() ? " REDELIVERY " + id : "");
    }

    /** The innermost cause, by type and message; bind errors carry no PHI ("Address already in use"). */
    private static String rootReason(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
