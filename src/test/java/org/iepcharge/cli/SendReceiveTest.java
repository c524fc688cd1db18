package org.iepcharge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import org.iepcharge.explain.MessageFileReader;
import org.iepcharge.billing.local.BillingReceiver;
import org.iepcharge.billing.local.ReceivedMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code send} against {@link BillingReceiver} over real loopback sockets. */
class SendReceiveTest {
    private static final String PHI = "DOE^JANE";

    @TempDir
    Path tmp;

    private Path in;
    private Path out;
    private final BillingReceiver receiver = new BillingReceiver();
    private final List<ReceivedMessage> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void writeInput() throws Exception {
        in = Files.createDirectories(tmp.resolve("in"));
        out = tmp.resolve("out");
        Files.createDirectories(in.resolve("sub"));
        // Two messages in one file with LF line ends, one in a subfolder with CRLF and a BOM, non-ASCII in UTF-8.
        Files.writeString(in.resolve("a.hl7"), message("MSG0001", "ORM^O01") + "\n" + message("MSG0002", "ORU^R01"),
                StandardCharsets.UTF_8);
        Files.writeString(in.resolve("sub/b.hl7"), "\uFEFF" + message("MSG0003", "ORU^R01").replace("\n", "\r\n")
                .replace("DOE^JANE", "MÜLLER^JÖRG"), StandardCharsets.UTF_8);
        receiver.onMessage(seen::add);
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop();
    }

    private static String message(String controlId, String type) {
        return "MSH|^~\\&|LIS|LAB|BILL|HOSP|20250101120000||" + type + "|" + controlId + "|P|2.5.1||||||UNICODE UTF-8\n"
                + "PID|1||12345^^^HOSP^MR||" + PHI + "||19600101|F\n"
                + "OBR|1|ORD1||86320^IEP^CPT4\n";
    }

    @Test
    void everyMessageArrivesByteExactAndAllAaExitsZero() throws Exception {
        startReceiver(AcknowledgmentCode.AA);

        Result result = send(in.toString());

        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.stdout).contains("a.hl7 #1 MSH-10=MSG0001 MSA-1=AA", "a.hl7 #2 MSH-10=MSG0002 MSA-1=AA",
                "b.hl7 #1 MSH-10=MSG0003 MSA-1=AA", "AA 3, AE 0, AR 0, no answer 0");
        assertThat(receiver.receivedCount()).isEqualTo(3);
        assertThat(receiver.receivedControlIds()).containsExactly("MSG0001", "MSG0002", "MSG0003");
        assertThat(receiver.redeliveryCount()).isZero();

        List<byte[]> expected = new ArrayList<>();
        for (Path file : MessageFileReader.collectFiles(List.of(in))) {
            MessageFileReader.read(file).forEach(m -> expected.add(m.payload()));
        }
        List<Path> filed = filedMessages();
        assertThat(filed).extracting(p -> p.getFileName().toString())
                .containsExactly("000001-MSG0001.hl7", "000002-MSG0002.hl7", "000003-MSG0003.hl7");
        for (int i = 0; i < filed.size(); i++) {
            assertThat(Files.readAllBytes(filed.get(i))).as(filed.get(i).toString()).isEqualTo(expected.get(i));
        }
        assertThat(new String(Files.readAllBytes(filed.get(2)), StandardCharsets.UTF_8)).contains("MÜLLER^JÖRG");
        assertThat(result.stdout + result.stderr).doesNotContain(PHI).doesNotContain("Exception");
    }

    @Test
    void latin1MessageNamedInMsh18ArrivesByteExact() throws Exception {
        startReceiver(AcknowledgmentCode.AA);
        Path latin1 = Files.createDirectories(tmp.resolve("latin1")).resolve("l.hl7");
        String text = message("MSG0100", "ORU^R01").replace("UNICODE UTF-8", "8859/1").replace(PHI, "MÜLLER^JÖRG");
        Files.write(latin1, text.getBytes(StandardCharsets.ISO_8859_1));

        Result result = send(latin1.toString());

        assertThat(result.exitCode).as(result.toString()).isZero();
        byte[] filed = Files.readAllBytes(filedMessages().get(0));
        assertThat(filed).isEqualTo(MessageFileReader.read(latin1).get(0).payload());
        assertThat(new String(filed, StandardCharsets.ISO_8859_1)).contains("MÜLLER^JÖRG");
    }

    @Test
    void aV27HeaderWithFiveEncodingCharactersIsReadLikeAnyOther() throws Exception {
        // MSH-2 "^~\\&#" (the v2.7 truncation character): HAPI's PreParser read no MSH-10 from it, so send printed
        // "MSH-10=-" and a false "MSA-2 does not match".
        startReceiver(AcknowledgmentCode.AA);
        Path v27 = Files.createDirectories(tmp.resolve("v27")).resolve("m.hl7");
        Files.writeString(v27, message("MSG0270", "ORU^R01").replace("|^~\\&|", "|^~\\&#|").replace("|2.5.1|", "|2.7|"),
                StandardCharsets.UTF_8);

        Result result = send(v27.toString());

        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.stdout).contains("m.hl7 #1 MSH-10=MSG0270 MSA-1=AA").doesNotContain("does not match");
        assertThat(receiver.receivedControlIds()).containsExactly("MSG0270");
        assertThat(filedMessages()).extracting(p -> p.getFileName().toString()).containsExactly("000001-MSG0270.hl7");
    }

    @Test
    void manyMessagesShowProgressOnStderr() throws Exception {
        startReceiver(AcknowledgmentCode.AA);
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 12; i++) {
            many.append(message(String.format("BULK%02d", i), "ORM^O01"));
        }
        Path file = Files.createDirectories(tmp.resolve("bulk")).resolve("bulk.hl7");
        Files.writeString(file, many);

        Result result = send(file.toString(), "--progress-every", "5");

        assertThat(result.exitCode).isZero();
        assertThat(result.stderr).contains("progress: 5 of 12", "progress: 10 of 12");
        assertThat(result.stdout).contains("AA 12, AE 0, AR 0, no answer 0");
        assertThat(receiver.receivedCount()).isEqualTo(12);
    }

    @Test
    void arAnswerGivesNonZeroExit() throws Exception {
        startReceiver(AcknowledgmentCode.AR);

        Result result = send(in.resolve("a.hl7").toString());

        assertThat(result.exitCode).as(result.toString()).isEqualTo(SendCommand.EXIT_NOT_ALL_ACCEPTED);
        assertThat(result.stdout).contains("MSH-10=MSG0001 MSA-1=AR ERR-3=207", "AA 0, AE 0, AR 2, no answer 0");
        // AR is still a delivery: the receiver filed it.
        assertThat(receiver.receivedCount()).isEqualTo(2);
    }

    @Test
    void aeAnswerGivesNonZeroExitAndErr3() throws Exception {
        startReceiver(AcknowledgmentCode.AE);

        Result result = send(in.resolve("sub").toString());

        assertThat(result.exitCode).isEqualTo(SendCommand.EXIT_NOT_ALL_ACCEPTED);
        assertThat(result.stdout).contains("MSH-10=MSG0003 MSA-1=AE ERR-3=207", "AA 0, AE 1, AR 0, no answer 0");
    }

    @Test
    void theErrThreeCodeOfAnAeOrArCanBeChosenAndChangedWhileRunning() throws Exception {
        startReceiver(AcknowledgmentCode.AR);
        receiver.setAnswer(AcknowledgmentCode.AR, ErrorCode.TABLE_VALUE_NOT_FOUND);
        assertThat(receiver.errorCode()).isEqualTo(ErrorCode.TABLE_VALUE_NOT_FOUND);

        Result refused = send(in.resolve("sub").toString());
        assertThat(refused.stdout).contains("MSH-10=MSG0003 MSA-1=AR ERR-3=103");

        receiver.setAnswer(AcknowledgmentCode.AE, ErrorCode.APPLICATION_RECORD_LOCKED);
        assertThat(send(in.resolve("sub").toString()).stdout).contains("MSH-10=MSG0003 MSA-1=AE ERR-3=206");

        receiver.setAnswer(AcknowledgmentCode.AA);
        assertThat(send(in.resolve("sub").toString()).stdout).contains("MSH-10=MSG0003 MSA-1=AA")
                .doesNotContain("ERR-3");
    }

    @Test
    void receiveRefusesAnErrorCodeOutsideTable0357() {
        CliRun run = CliRun.of("receive", "--port", "0", "--out", out.toString(), "--answer", "AR",
                "--error-code", "999");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--error-code 999 is not an HL7 table 0357 code", "206", "207", "103");
        assertThat(ReceiveCommand.errorCode(204)).contains(ErrorCode.UNKNOWN_KEY_IDENTIFIER);
        assertThat(ReceiveCommand.errorCode(0)).isEmpty();
    }

    @Test
    void sendingTheSameMessageTwiceIsReportedAsRedelivery() throws Exception {
        startReceiver(AcknowledgmentCode.AA);
        Path file = in.resolve("sub/b.hl7");

        assertThat(send(file.toString()).exitCode).isZero();
        assertThat(send(file.toString()).exitCode).isZero();

        assertThat(receiver.redeliveryCount()).isEqualTo(1);
        assertThat(receiver.receivedControlIds()).containsExactly("MSG0003", "MSG0003");
        assertThat(seen).extracting(ReceivedMessage::redelivery).containsExactly(false, true);
        assertThat(ReceiveCommand.line(seen.get(1))).endsWith("REDELIVERY MSG0003");
        // Both deliveries are kept, under distinct sequence numbers.
        assertThat(filedMessages()).extracting(p -> p.getFileName().toString())
                .containsExactly("000001-MSG0003.hl7", "000002-MSG0003.hl7");
    }

    @Test
    void noReceiverMeansNoAnswerAndNonZeroExitWithoutStackTrace() throws Exception {
        startReceiver(AcknowledgmentCode.AA);
        int port = receiver.port();
        receiver.stop(); // the port is now known to be free of our listener

        Result result = send(in.toString(), "--port", String.valueOf(port), "--timeout-ms", "2000");

        assertThat(result.exitCode).isNotZero();
        assertThat(result.stderr).contains("cannot connect to 127.0.0.1:" + port);
        assertThat(result.stdout).contains("NO ANSWER", "no answer 1", "not sent 2");
        assertThat(result.stdout + result.stderr).doesNotContain("\tat ").doesNotContain(PHI);
    }

    @Test
    void aFileWithoutMshIsListedAndSkippedAndTheRestIsSent() throws Exception {
        startReceiver(AcknowledgmentCode.AA);
        Files.writeString(in.resolve("README.md"), "# notes\n\nThese messages are for testing.\n");

        Result result = send(in.toString());

        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.stdout).contains("skipped " + in.resolve("README.md") + ": no MSH segment",
                "AA 3, AE 0, AR 0, no answer 0; skipped 1 file(s) without MSH");
        assertThat(receiver.receivedControlIds()).containsExactly("MSG0001", "MSG0002", "MSG0003");
    }

    @Test
    void aFolderWithoutAnyMessageIsAnErrorNotASilentSuccess() throws Exception {
        startReceiver(AcknowledgmentCode.AA);
        Path notes = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(notes.resolve("README.md"), "# nothing to send\n");

        Result result = send(notes.toString());

        assertThat(result.exitCode).as(result.toString()).isEqualTo(SendCommand.EXIT_BAD_INPUT);
        assertThat(result.stdout).contains("skipped " + notes.resolve("README.md") + ": no MSH segment");
        assertThat(result.stderr).contains("error: no HL7 message found in " + notes);
        assertThat(receiver.receivedCount()).isZero();
    }

    @Test
    void aBrokenMessageFileIsNamedCountedAndDoesNotStopTheOthers() throws Exception {
        startReceiver(AcknowledgmentCode.AA);
        // Holds an MSH, so it is meant as messages: a line broken inside a field is an error, not a skip.
        Files.writeString(in.resolve("m-broken.hl7"), message("MSG0009", "ORM^O01") + "continued free text\n");

        Result result = send(in.toString());

        assertThat(result.exitCode).as(result.toString()).isEqualTo(SendCommand.EXIT_BAD_INPUT);
        assertThat(result.stderr).contains("error: " + in.resolve("m-broken.hl7") + " line 4: not an HL7 segment",
                "1 file(s) could not be read");
        assertThat(result.stdout).contains("AA 3, AE 0, AR 0, no answer 0; unreadable 1 file(s)");
        assertThat(receiver.receivedControlIds()).containsExactly("MSG0001", "MSG0002", "MSG0003");
        assertThat(result.stdout + result.stderr).doesNotContain("\tat ");
    }

    @Test
    void hapiWritesNoIdFileIntoTheWorkingDirectory() throws Exception {
        Path idFile = Path.of("id_file").toAbsolutePath();
        boolean existedBefore = Files.exists(idFile);
        startReceiver(AcknowledgmentCode.AE);

        send(in.toString());

        assertThat(Files.exists(idFile)).isEqualTo(existedBefore);
    }

    @Test
    void restartedReceiverContinuesTheSequence() throws Exception {
        startReceiver(AcknowledgmentCode.AA);
        send(in.resolve("sub").toString());
        receiver.stop();
        receiver.start(receiver.port(), out, AcknowledgmentCode.AA);

        send(in.resolve("sub").toString());

        assertThat(filedMessages()).extracting(p -> p.getFileName().toString())
                .containsExactly("000001-MSG0003.hl7", "000002-MSG0003.hl7");
    }

    /** Binds the receiver on a random high loopback port, retrying if that port is taken. */
    private void startReceiver(AcknowledgmentCode answer) throws Exception {
        Exception last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20000, 60000);
            try {
                receiver.start(port, out, answer);
                return;
            } catch (Exception e) {
                last = e;
            }
        }
        throw last;
    }

    private List<Path> filedMessages() throws Exception {
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(p -> p.toString().endsWith(".hl7")).sorted().toList();
        }
    }

    private Result send(String... args) {
        List<String> all = new ArrayList<>(List.of("send"));
        all.addAll(List.of(args));
        if (!all.contains("--port")) {
            all.addAll(List.of("--port", String.valueOf(receiver.port()), "--timeout-ms", "5000"));
        }
        CliRun run = CliRun.of(all.toArray(String[]::new));
        return new Result(run.exit(), run.out(), run.err());
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }
}
