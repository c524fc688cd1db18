package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.iepcharge.testkit.EngineHarness.Ack;
import org.iepcharge.testkit.EngineHarness.Transport;
import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.LabMessages;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;


/**
 * Sends every file of the public corpus, byte for byte as one MLLP frame on its own connection, to a running engine
 * (once per inbound transport) and compares MSA-1, ERR-3 and the disposition the ledger stored against
 * {@code testdata/corpus-expectations.csv}. The corpus folder is system property {@code iep.test.corpusDir}, else the
 * copy in {@code testdata/corpus/public} (its SOURCES.md and LICENSES say where each file comes from and under which
 * licence).
 */
class CorpusExpectationsTest {
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    record Expectation(String file, String msa1, String err3, String outcome) {
        String shown() {
            return msa1 + (err3.isEmpty() ? "" : " " + err3) + " " + outcome;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void everyCorpusFileGetsTheExpectedAnswerAndDisposition(Transport transport) throws Exception {
        Path corpus = corpusDir();
        Map<String, Expectation> expected = readExpectations(
                EngineHarness.projectDir().resolve("testdata/corpus-expectations.csv"));
        List<String> files;
        try (Stream<Path> list = Files.list(corpus)) {
            files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".hl7")).sorted().toList();
        }
        assertThat(files).as("corpus files in " + corpus).isNotEmpty();
        assertThat(expected.keySet()).as("CSV rows vs corpus files").containsExactlyInAnyOrderElementsOf(files);

        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> errors = new ListAppender<>();
        errors.start();
        root.addAppender(errors);
        List<String> mismatches = new ArrayList<>();
        try (EngineHarness engine = EngineHarness.start(transport, tmp)) {
            for (String file : files) {
                Expectation want = expected.get(file);
                byte[] raw = Files.readAllBytes(corpus.resolve(file));
                Expectation got = send(engine, file, raw, want.msa1().equals("NONE"));
                if (!got.equals(want)) {
                    mismatches.add(file + ": expected " + want.shown() + ", actual " + got.shown());
                }
            }
        } finally {
            root.detachAppender(errors);
        }
        mismatches.forEach(System.out::println);
        System.out.println(transport + " corpus: " + files.size() + " files, " + mismatches.size() + " mismatches");
        assertThat(mismatches).as("corpus files whose answer differs from corpus-expectations.csv").isEmpty();
        assertThat(errors.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList())
                .as("no unhandled exception (nothing logged at ERROR) while the corpus was processed").isEmpty();
    }

    private static Expectation send(EngineHarness engine, String file, byte[] raw, boolean expectNoAnswer)
            throws IOException {
        Optional<Ack> ack;
        try (EngineHarness.Connection c = engine.connect()) {
            c.write(raw);
            if (expectNoAnswer) {
                ack = answerIfAny(engine, c, raw);
            } else {
                ack = c.read(ANSWER_WAIT);
            }
        }
        String msa1 = ack.map(Ack::msa1).orElse("NONE");
        String err3 = ack.map(a -> a.err3().isEmpty() ? a.field("ERR-1-4-1") : a.err3()).orElse("");
        String outcome = engine.outcomeOf(raw).map(CorpusExpectationsTest::outcomeName).orElse("(not in ledger)");
        return new Expectation(file, msa1, err3, outcome);
    }

    private static int probes;

    /**
     * For a message that expects no answer, no fixed wait before concluding there was none: first the positive signal
     * that the engine recorded it, then a probe ORM on the same connection. Answers come in order on a connection, so
     * the first frame read is the message's own answer if it got one, else the probe's.
     */
    private static Optional<Ack> answerIfAny(EngineHarness engine, EngineHarness.Connection c, byte[] raw)
            throws IOException {
        long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
        while (engine.outcomeOf(raw).isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        String probeId = "CORPUS-PROBE-" + (++probes);
        Ack first = c.exchange(LabMessages.orm("2.5.1", probeId, "CPRB" + probes).getBytes(StandardCharsets.UTF_8),
                ANSWER_WAIT);
        return first.msa2().equals(probeId) ? Optional.empty() : Optional.of(first);
    }

    static String outcomeName(Outcome o) {
        return o.disposition() == Disposition.NO_ANSWER ? "no-answer" : o.disposition().name().toLowerCase(Locale.ROOT);
    }

    static Path corpusDir() {
        String configured = System.getProperty("iep.test.corpusDir");
        Path dir = configured == null || configured.isBlank()
                ? EngineHarness.projectDir().resolve("testdata/corpus/public")
                : Path.of(configured);
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("Public corpus folder not found: " + dir.toAbsolutePath()
                    + ". Set -Diep.test.corpusDir=/path/to/corpus/public.");
        }
        return dir;
    }

    static Map<String, Expectation> readExpectations(Path csv) throws IOException {
        Map<String, Expectation> rows = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).startsWith("file,msa1,err3,outcome");
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            List<String> cells = csvCells(line);
            rows.put(cells.get(0), new Expectation(cells.get(0), cells.get(1), cells.get(2), cells.get(3)));
        }
        return rows;
    }

    /** One CSV line: comma-separated, double quotes around cells with commas, "" for a quote inside. */
    static List<String> csvCells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
