package org.iepcharge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;



import org.iepcharge.testkit.EngineHarness;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.iepcharge.testkit.SystemProperties;

/**
 * {@code explain} as the user runs it (the CLI entry point, real stdout and exit code) on an order of two
 * charge-master tests (86320 and the 86334 fixture of testdata/scenarios/rules/multi.yaml) whose results name the
 * order by its filler number only: for each (order, CPT) it shows which lines exist, why, and what became of them
 * (issue 12; docs/decision-contract.md §4 line identity, §7 events).
 */
class ExplainPerOrderAndCptTest {
    private static final Path MULTI_RULES = EngineHarness.projectDir().resolve("testdata/scenarios/rules/multi.yaml");

    @TempDir
    Path tmp;

    @RegisterExtension
    final SystemProperties properties = new SystemProperties();

    @BeforeEach
    void settings() {
        properties.set("iep.dataDir", tmp.resolve("data").toString());
        properties.set("iep.routes", tmp.toString());
    }

    private static final String PID = "PID|1||MRN55^^^MAINLAB^MR||Roe^Rita||19600101|F\r";
    private static final String PROVIDER = "1234567890^Welby^Marcus^^^^^^NPI";

    private static String msh(String type, String id) {
        return "MSH|^~\\&|LIS|MAINLAB|IEP|MAINLAB|20261121090000||" + type + "|" + id + "|P|2.5.1\r";
    }

    private static String orderGroup(String control, String test) {
        return "ORC|" + control + "|PL55^LIS|FL55^LAB|||||||||" + PROVIDER + "\r"
                + "OBR|1|PL55^LIS|FL55^LAB|" + test + "|||20261120080000\r"
                + "DG1|1||D47.2^Monoclonal gammopathy^I10||||F\r";
    }

    /** A result group naming the order by its filler number only (ORC-2 and OBR-2 empty). */
    private static String resultGroup(String test, String status, String lab) {
        return "ORC|RE||FL55^LAB|||||||||" + PROVIDER + "\r"
                + "OBR|1||FL55^LAB|" + test + "|||20261120080000|||||||||" + PROVIDER + "|||||||||" + status + "\r"
                // OBX-11 the status, OBX-23 the performing laboratory (XON-10 its CLIA number)
                + "OBX|1|NM|2885-2^Protein total^LN||7.1|g/dL|||||" + status + "|".repeat(12)
                + "LAB^^^^^^^^^" + lab + "\r";
    }

    private static final String IEP = "13169-8^Immunoelectrophoresis serum^LN";
    private static final String IFX = "IFX^Immunofixation serum^L";

    private record Result(int exit, String out, String err) {
    }

    private static Result explain(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = IepCommand.execute(args);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    @Test
    void explainShowsPerOrderAndCptWhichLinesExistAndWhy() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("msgs"));
        Files.writeString(dir.resolve("1-orm.hl7"), msh("ORM^O01^ORM_O01", "O-55") + PID
                + "PV1|1|O|OUTPT^^^MAINLAB\r" + "IN1|1|AET|60054|AETNA\r"
                + orderGroup("NW", IEP) + orderGroup("NW", IFX));
        Files.writeString(dir.resolve("2-oru.hl7"), msh("ORU^R01^ORU_R01", "R-55") + PID
                + resultGroup(IEP, "F", "11D0000001") + resultGroup(IFX, "F", "11D0000001"));
        // A correction of the immunofixation only: now performed by a reference laboratory (90).
        Files.writeString(dir.resolve("3-oru-corrected.hl7"), msh("ORU^R01^ORU_R01", "R-56") + PID
                + resultGroup(IFX, "C", "05D0000002"));
        // Cancel confirmed for the IEP after its result: held for review, the other test untouched.
        Files.writeString(dir.resolve("4-orm-cancel.hl7"), msh("ORM^O01^ORM_O01", "O-56") + PID
                + orderGroup("CR", IEP));

        Result r = explain("explain", "--no-engine", "--rules", MULTI_RULES.toString(), dir.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        String out = r.out();
        int summary = out.indexOf("== Lines per order and CPT");
        assertThat(summary).as(out).isPositive();
        String iep = section(out, summary, "CPT 86320:");
        String ifx = section(out, summary, "CPT 86334:");
        // One entry per (order, CPT), each naming the order whole although the results named it by filler only.
        assertThat(iep).startsWith("order P:PL55^LIS (placer PL55^LIS, filler FL55^LAB), CPT 86320: final result"
                + " seen");
        assertThat(ifx).startsWith("order P:PL55^LIS (placer PL55^LIS, filler FL55^LAB), CPT 86334: final result"
                + " seen");
        // 86320: its one line, still posted, and the cancel-after-result hold; nothing of 86334.
        assertThat(iep).contains("T line CPT 86320 modifiers (none)", "posted on a result for this order and CPT",
                "2-oru.hl7 #1 (ORU^R01 MSH-10 R-55)", "now: posted (CG)",
                "held T line: CANCEL_AFTER_RESULT", "4-orm-cancel.hl7 #1 (ORM^O01 MSH-10 O-56); now open")
                .doesNotContain("86334", "credited");
        // 86334: the first line credited by the correction and the re-posted line with 90, each saying why.
        assertThat(ifx).contains("T line CPT 86334 modifiers (none)", "now: credited (CD with the same FT1-2)",
                "T line CPT 86334 modifiers 90", "re-posted: a later result changed this line (generation 2)",
                "3-oru-corrected.hl7 #1 (ORU^R01 MSH-10 R-56)", "90 reference lab")
                .doesNotContain("86320", "held");
        assertThat(out).doesNotContain("Roe", "Rita", "19600101");
    }

    /** The summary entry starting at the order line for this CPT, up to the next order line. */
    private static String section(String out, int from, String cpt) {
        int header = out.indexOf(cpt, from);
        assertThat(header).as("no entry for " + cpt + " in\n" + out.substring(from)).isPositive();
        int start = out.lastIndexOf("order ", header);
        int next = out.indexOf("\n   order ", header);
        return out.substring(start, next < 0 ? out.length() : next);
    }
}
