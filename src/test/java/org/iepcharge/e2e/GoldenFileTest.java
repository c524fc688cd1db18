package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.iepcharge.billing.DftFacts;
import org.iepcharge.capture.ChargeIds;
import org.iepcharge.explain.FileMessage;
import org.iepcharge.explain.MessageFileReader;
import org.iepcharge.ledger.LedgerSession;
import org.iepcharge.testkit.EngineHarness.Ack;
import org.iepcharge.testkit.EngineHarness.Transport;
import org.iepcharge.testkit.EngineHarness;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: each folder of {@code testdata/golden/} holds the input messages ({@code *.hl7}, sent in name order
 * to a fresh engine) and either a hand-written {@code expected-dft.hl7} — whose {@code #} header names the
 * docs/decision-contract.md row it checks — or an {@code expected-none} marker (no DFT at all). Every input must be
 * answered AA.
 *
 * <p>The DFT is compared field by field as {@link DftFacts} reads it (the §8 fields), every field included: the
 * engine runs with a fixed clock ({@link #CLOCK}: MSH-7, EVN-2, FT1-5) and an ID sequence of the test's own
 * ({@link GoldenIds}: MSH-10, FT1-2), so nothing differs from run to run and nothing is masked.
 */
class GoldenFileTest {
    private static final Path GOLDEN = EngineHarness.projectDir().resolve("testdata/golden");
    /** The instant every golden DFT is written at: 2026-11-21 10:00:30, in UTC. */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T10:00:30Z"), ZoneOffset.UTC);

    /**
     * MSH-10 and FT1-2 as the expected files write them: a sequence unlike the ledger's, so a DFT that took its IDs
     * from anywhere else fails.
     */
    static final class GoldenIds implements ChargeIds {
        private int dfts;
        private int transactions;

        @Override
        public synchronized String nextDftControlId(LedgerSession session) {
            return "GOLDEN-DFT-" + (++dfts);
        }

        @Override
        public synchronized String nextTransactionId(LedgerSession session) {
            return "GOLDTX" + (++transactions);
        }
    }

    @TempDir
    Path tmp;

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(GOLDEN)) {
            List<String> names = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            assertThat(names).as("golden cases under " + GOLDEN).hasSizeGreaterThanOrEqualTo(5);
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void engineWritesTheHandWrittenDft(String name) throws Exception {
        Path dir = GOLDEN.resolve(name);
        boolean expectNone = Files.exists(dir.resolve("expected-none"));
        Path expectedFile = dir.resolve("expected-dft.hl7");
        assertThat(expectNone ^ Files.exists(expectedFile)).as(name + ": exactly one of expected-dft.hl7 and"
                + " expected-none").isTrue();
        String header = Files.readString(expectNone ? dir.resolve("expected-none") : expectedFile);
        assertThat(header).as(name + ": the header comment names the docs/decision-contract.md row").startsWith("#")
                .contains("docs/decision-contract.md");

        try (EngineHarness engine = EngineHarness.start(Transport.NETTY, tmp, Map.of(), CLOCK, new GoldenIds())) {
            for (Path input : inputs(dir)) {
                for (FileMessage m : MessageFileReader.read(input)) {
                    Ack ack = engine.send(m.payload());
                    assertThat(ack.msa1()).as(input.getFileName() + " #" + m.index() + ": " + ack).isEqualTo("AA");
                    assertThat(ack.msa2()).isEqualTo(m.controlId());
                }
            }
            List<String> dfts = engine.dfts();
            if (expectNone) {
                assertThat(dfts).as(name + ": no DFT expected").isEmpty();
                return;
            }
            assertThat(dfts).as(name + ": exactly one DFT").hasSize(1);
            DftFacts actual = DftFacts.read(dfts.get(0));
            DftFacts expected = DftFacts.read(withoutComments(Files.readString(expectedFile)));

            checkFormats(actual);
            assertThat(flatten(actual)).as(name + ": DFT field by field (expected-dft.hl7)")
                    .containsExactlyElementsOf(flatten(expected));
        }
    }

    private static List<Path> inputs(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> inputs = files.filter(p -> p.getFileName().toString().endsWith(".hl7"))
                    .filter(p -> !p.getFileName().toString().startsWith("expected"))
                    .sorted().toList();
            assertThat(inputs).as("inputs in " + dir).isNotEmpty();
            return inputs;
        }
    }

    static String withoutComments(String text) {
        return text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).collect(Collectors.joining("\r", "", "\r"));
    }

    /** The lengths billing relies on (§8), whatever the expected file says. */
    private static void checkFormats(DftFacts dft) {
        assertThat(dft.msh().dateTime()).as("MSH-7").matches("\\d{14}.*");
        assertThat(dft.msh().controlId()).as("MSH-10").isNotEmpty().hasSizeLessThanOrEqualTo(20);
        assertThat(dft.evn().recordedDateTime()).as("EVN-2").matches("\\d{14}.*");
        for (DftFacts.Ft1 ft1 : dft.ft1s()) {
            assertThat(ft1.transactionId()).as("FT1-2").isNotEmpty().hasSizeLessThanOrEqualTo(12);
            assertThat(ft1.postingDate()).as("FT1-5").matches("\\d{14}.*");
        }
    }

    /** Every §8 field DftFacts reads, one "Segment[n].component = value" line each. */
    static List<String> flatten(DftFacts dft) {
        List<String> out = new ArrayList<>();
        out.add("segments = " + dft.segments());
        add(out, "Msh", 0, dft.msh());
        add(out, "Evn", 0, dft.evn());
        add(out, "Pid", 0, dft.pid());
        add(out, "Pv1", 0, dft.pv1());
        for (int i = 0; i < dft.ft1s().size(); i++) {
            add(out, "Ft1", i + 1, dft.ft1s().get(i));
        }
        for (int i = 0; i < dft.dg1s().size(); i++) {
            add(out, "Dg1", i + 1, dft.dg1s().get(i));
        }
        for (int i = 0; i < dft.in1s().size(); i++) {
            add(out, "In1", i + 1, dft.in1s().get(i));
        }
        return out;
    }

    private static void add(List<String> out, String segment, int index, Record record) {
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            Object value;
            try {
                value = c.getAccessor().invoke(record);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            out.add(segment + (index == 0 ? "" : "[" + index + "]") + "." + c.getName() + " = " + value);
        }
    }
}
