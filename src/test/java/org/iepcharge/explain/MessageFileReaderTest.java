package org.iepcharge.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageFileReaderTest {
    private static final String MSH1 = "MSH|^~\\&|LIS|LAB|BILL|HOSP|20250101120000||ORM^O01|MSG0001|P|2.5.1";
    private static final String PID1 = "PID|1||12345^^^HOSP^MR||DOE^JANE";
    private static final String MSH2 = "MSH|^~\\&|LIS|LAB|BILL|HOSP|20250101120100||ORU^R01|MSG0002|P|2.5.1";
    private static final String OBX2 = "OBX|1|ST|86320^IEP||normal";

    private static List<FileMessage> split(String content) throws MessageFileException {
        return MessageFileReader.split("test.hl7", content.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String text(FileMessage m) {
        return new String(m.payload(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void splitsSeveralMessagesAtEachMsh() throws Exception {
        List<FileMessage> messages = split(MSH1 + "\r" + PID1 + "\r" + MSH2 + "\r" + OBX2 + "\r");

        assertThat(messages).hasSize(2);
        assertThat(text(messages.get(0))).isEqualTo(MSH1 + "\r" + PID1 + "\r");
        assertThat(text(messages.get(1))).isEqualTo(MSH2 + "\r" + OBX2 + "\r");
        assertThat(messages).extracting(FileMessage::index).containsExactly(1, 2);
        assertThat(messages).extracting(FileMessage::controlId).containsExactly("MSG0001", "MSG0002");
        assertThat(messages).extracting(FileMessage::firstLine).containsExactly(1, 3);
    }

    @Test
    void crLfAndCrLfLineEndsAllBecomeCr() throws Exception {
        String expected = MSH1 + "\r" + PID1 + "\r";
        for (String eol : new String[] {"\r", "\n", "\r\n"}) {
            List<FileMessage> messages = split(MSH1 + eol + PID1 + eol + MSH2 + eol + OBX2);
            assertThat(messages).as("line end %s", eol.replace("\r", "CR").replace("\n", "LF")).hasSize(2);
            assertThat(text(messages.get(0))).isEqualTo(expected);
            assertThat(text(messages.get(1))).isEqualTo(MSH2 + "\r" + OBX2 + "\r");
        }
    }

    @Test
    void mixedLineEndsAndBlankLinesBetweenMessages() throws Exception {
        List<FileMessage> messages = split(MSH1 + "\r\n" + PID1 + "\n\n  \r\n" + MSH2 + "\r" + OBX2 + "\r\n\r\n");

        assertThat(messages).extracting(MessageFileReaderTest::text)
                .containsExactly(MSH1 + "\r" + PID1 + "\r", MSH2 + "\r" + OBX2 + "\r");
        assertThat(messages.get(1).firstLine()).isEqualTo(5);
    }

    @Test
    void stripsUtf8BomAndKeepsNonAsciiBytesUnchanged() throws Exception {
        byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};
        String pid = "PID|1||1^^^H^MR||MÜLLER^JÖRG";
        byte[] body = (MSH1 + "||||||UNICODE UTF-8\n" + pid + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, content, 0, bom.length);
        System.arraycopy(body, 0, content, bom.length, body.length);

        List<FileMessage> messages = MessageFileReader.split("bom.hl7", content);

        assertThat(messages).hasSize(1);
        assertThat(new String(messages.get(0).payload(), StandardCharsets.UTF_8))
                .isEqualTo(MSH1 + "||||||UNICODE UTF-8\r" + pid + "\r");
        assertThat(org.iepcharge.hl7.Hl7Charsets.of(messages.get(0).payload(), StandardCharsets.ISO_8859_1))
                .isEqualTo(StandardCharsets.UTF_8);
    }

    @Test
    void unwrapsBatchEnvelopes() throws Exception {
        String file = "FHS|^~\\&|LIS|LAB|||20250101\r"
                + "BHS|^~\\&|LIS|LAB|||20250101\r"
                + MSH1 + "\r" + PID1 + "\r"
                + MSH2 + "\r" + OBX2 + "\r"
                + "BTS|2\r"
                + "FTS|1\r";

        List<FileMessage> messages = split(file);

        assertThat(messages).extracting(MessageFileReaderTest::text)
                .containsExactly(MSH1 + "\r" + PID1 + "\r", MSH2 + "\r" + OBX2 + "\r");
    }

    @Test
    void acceptsAnyFieldSeparatorAfterMsh() throws Exception {
        String msh = "MSH#^~\\&#LIS#LAB#BILL#HOSP#20250101##ORM^O01#HASH01#P#2.5.1";

        List<FileMessage> messages = split(msh + "\n" + "PID#1\n");

        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).controlId()).isEqualTo("HASH01");
    }

    @Test
    void ignoresMllpFrameBytesLeftInACapture() throws Exception {
        List<FileMessage> messages = split("\u000b" + MSH1 + "\r" + PID1 + "\r\u001c\r\u000b" + MSH2 + "\r\u001c\r");

        assertThat(messages).extracting(MessageFileReaderTest::text)
                .containsExactly(MSH1 + "\r" + PID1 + "\r", MSH2 + "\r");
    }

    @Test
    void fileWithoutMshNamesTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "");

        assertThatThrownBy(() -> MessageFileReader.read(file))
                .isInstanceOf(MessageFileException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("no HL7 message");
    }

    @Test
    void textBeforeTheFirstMshNamesFileAndLine() {
        assertThatThrownBy(() -> split("\n" + PID1 + "\n" + MSH1 + "\n"))
                .isInstanceOf(MessageFileException.class)
                .hasMessageStartingWith("test.hl7 line 2:")
                .satisfies(e -> assertThat(((MessageFileException) e).line()).isEqualTo(2));
    }

    @Test
    void proseWithoutMshNamesFileAndLine() {
        assertThatThrownBy(() -> split("hello, these are my notes\n"))
                .isInstanceOf(MessageFileException.class)
                .hasMessageStartingWith("test.hl7 line 1:")
                .hasMessageContaining("not an HL7 segment");
    }

    @Test
    void binaryContentIsReportedWithItsLine() {
        byte[] content = (MSH1 + "\r" + PID1 + "\r").getBytes(StandardCharsets.ISO_8859_1);
        content[MSH1.length() + 3] = 0x00;

        assertThatThrownBy(() -> MessageFileReader.split("scan.bin", content))
                .isInstanceOf(MessageFileException.class)
                .hasMessageStartingWith("scan.bin line 2:")
                .hasMessageContaining("unreadable content");
    }

    @Test
    void wrappedLineInsideAMessageIsRejectedNotSentCorrupted() {
        assertThatThrownBy(() -> split(MSH1 + "\n" + "OBX|1|TX|||first half\nsecond half|F\n"))
                .isInstanceOf(MessageFileException.class)
                .hasMessageStartingWith("test.hl7 line 3:");
    }

    @Test
    void collectsFoldersRecursivelySortedByName(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("b"));
        Files.writeString(dir.resolve("b/2.hl7"), MSH2);
        Files.writeString(dir.resolve("b/1.hl7"), MSH1);
        Files.writeString(dir.resolve("a.hl7"), MSH1);
        Files.writeString(dir.resolve(".hidden"), "x");

        List<Path> files = MessageFileReader.collectFiles(List.of(dir));

        assertThat(files).containsExactly(dir.resolve("a.hl7"), dir.resolve("b/1.hl7"), dir.resolve("b/2.hl7"));
    }

    @Test
    void missingPathIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> MessageFileReader.collectFiles(List.of(missing)))
                .isInstanceOf(MessageFileException.class)
                .hasMessageContaining(missing.toString());
    }
}
