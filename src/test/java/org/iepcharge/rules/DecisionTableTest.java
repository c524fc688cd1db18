package org.iepcharge.rules;

import org.iepcharge.domain.HoldReason;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.iepcharge.domain.CodedValue;
import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.Provider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/decision-contract.md §5 and §6, row by row, for every shipped payer profile and every lab type. Expected values
 * are written by hand from the contract: "" = posted without modifiers, "90 GA" = posted with exactly these modifiers
 * in this order, "HOLD REASON" = held for that reason, "-" = no such line.
 */
class DecisionTableTest {
    private static final Diagnosis D47_2 = new Diagnosis("D47.2", "", "I10", "F");
    private static final Diagnosis C90_01 = new Diagnosis("c90.01", "", "I10", "F");
    private static final Diagnosis R77_1 = new Diagnosis("R77.1", "", "I10", "F");
    private static final Diagnosis Z00_00 = new Diagnosis("Z00.00", "", "I10C", "F");
    private static final Diagnosis ICD9 = new Diagnosis("273.1", "", "I9", "F");

    private static final Map<String, Consumer<Scenario>> SCENARIOS = Map.ofEntries(
            Map.entry("plain", s -> { }),
            Map.entry("descendant of a supporting range", s -> s.diagnoses(C90_01)),
            Map.entry("referred", Scenario::referred),
            Map.entry("referred, hospital reviews", s -> s.referred()
                    .edit("  referredTestAtHospital: NO_MODIFIER\n", "  referredTestAtHospital: HOLD\n")),
            Map.entry("performing lab not named", s -> s.observations.clear()),
            Map.entry("performing lab not named, site holds", s -> {
                s.observations.clear();
                s.edit("  unknownPerformingLab: OURS\n", "  unknownPerformingLab: HOLD\n");
            }),
            Map.entry("professional", Scenario::interpretedByOurPathologist),
            Map.entry("professional, not on roster", s -> {
                s.interpretedByOurPathologist();
                s.interpreter = new Provider("PATH9", null, "LIS");
            }),
            Map.entry("professional, referred", s -> s.interpretedByOurPathologist().referred()),
            Map.entry("ABN 2, unsupported", s -> {
                s.diagnoses(R77_1);
                s.abn = "2";
            }),
            Map.entry("ABN 3, supported", s -> s.abn = "3"),
            Map.entry("professional, ABN 2, unsupported", s -> {
                s.interpretedByOurPathologist().diagnoses(R77_1);
                s.abn = "2";
            }),
            Map.entry("referred, ABN 2, unsupported", s -> {
                s.referred().diagnoses(R77_1);
                s.abn = "2";
            }),
            Map.entry("unsupported, no ABN", s -> s.diagnoses(R77_1)),
            Map.entry("unsupported, ABN 1", s -> {
                s.diagnoses(R77_1);
                s.abn = "1";
            }),
            Map.entry("unsupported, ABN 4", s -> {
                s.diagnoses(R77_1);
                s.abn = "4";
            }),
            Map.entry("one supported among unsupported", s -> s.diagnoses(R77_1, D47_2)),
            Map.entry("professional, unsupported", s -> s.interpretedByOurPathologist().diagnoses(R77_1)),
            Map.entry("unsupported, payer wants GZ", s -> s.diagnoses(R77_1)
                    .edit("    unsupportedWithoutAbn: HOLD\n", "    unsupportedWithoutAbn: GZ\n")),
            Map.entry("all excluded", s -> s.diagnoses(Z00_00)
                    .edit("    excludedDiagnoses: []\n", "    excludedDiagnoses: [Z00.0]\n")),
            Map.entry("all excluded, ABN 2", s -> {
                s.diagnoses(Z00_00).edit("    excludedDiagnoses: []\n", "    excludedDiagnoses: [Z00.0]\n");
                s.abn = "2";
            }),
            Map.entry("one excluded, one unsupported", s -> s.diagnoses(Z00_00, R77_1)
                    .edit("    excludedDiagnoses: []\n", "    excludedDiagnoses: [Z00.0]\n")),
            Map.entry("no diagnosis", s -> s.diagnoses()),
            Map.entry("ICD-9 diagnosis", s -> s.diagnoses(ICD9)),
            Map.entry("ICD-10 and ICD-9 diagnoses", s -> s.diagnoses(D47_2, ICD9)),
            Map.entry("inpatient", s -> s.patientClass = "I"),
            Map.entry("inpatient, client-bill profile", s -> {
                s.patientClass = "I";
                s.diagnoses(R77_1);
                s.edit("    inpatientAtIndependentLab: HOLD\n", "    inpatientAtIndependentLab: OTHER\n");
            }),
            Map.entry("result before order", s -> s.hasContext = false),
            Map.entry("order without IN1", s -> s.hasInsurance = false),
            Map.entry("result before order, charged as OTHER", s -> {
                s.hasContext = false;
                s.edit("  payerWhenUnknown: HOLD\n", "  payerWhenUnknown: OTHER\n");
            }),
            Map.entry("no collection date", s -> s.collectionTime = ""),
            Map.entry("no ordering provider", s -> {
                s.orderingProvider = Provider.NONE;
                s.testOrderingProvider = Provider.NONE;
            }),
            Map.entry("result status outside 0123", s -> s.resultStatus = "Q"),
            Map.entry("same-day repeat", s -> s.postedBefore("P99", "202503010800", 1)),
            Map.entry("duplicate order", s -> s.postedBefore("P99", Scenario.COLLECTED, 1)
                    .edit("  sameDayRepeat: HOLD\n", "  sameDayRepeat: MODIFIER_91\n")),
            Map.entry("same-day repeat, 91", s -> s.postedBefore("P99", "202503010800", 1)
                    .edit("  sameDayRepeat: HOLD\n", "  sameDayRepeat: MODIFIER_91\n")),
            Map.entry("same-day repeat, 91, professional", s -> s.interpretedByOurPathologist()
                    .postedBefore("P99", "202503010800", 1)
                    .edit("  sameDayRepeat: HOLD\n", "  sameDayRepeat: MODIFIER_91\n")),
            Map.entry("same-day repeat, 91, referred, ABN 2", s -> {
                s.referred().diagnoses(R77_1).postedBefore("P99", "202503010800", 1)
                        .edit("  sameDayRepeat: HOLD\n", "  sameDayRepeat: MODIFIER_91\n");
                s.abn = "2";
            }),
            Map.entry("MUE practitioner 1, facility 2", s -> s.postedBefore("P99", "202503010800", 1)
                    .edit("  sameDayRepeat: HOLD\n", "  sameDayRepeat: MODIFIER_91\n")
                    .edit("mue: {}\n", "mue:\n  \"86320\": { practitioner: 1, facility: 2 }\n")),
            Map.entry("same order posted before (a correction)", s -> s.postedBefore("P100", "202503010800", 1)),
            Map.entry("training traffic", s -> {
                s.postedBefore("P99", Scenario.COLLECTED, 1);
                s.processingId = "T";
            }),
            Map.entry("unmapped IEP-like test", s -> s.code = new CodedValue("IEPX", "IEP, Serum", "L")),
            Map.entry("not a charge-master test", s -> s.code = new CodedValue("CBC", "Blood count", "L")));

    private static final String ALL = "MEDICARE|UHC|BCBS|CIGNA|AETNA|OTHER";
    private static final String NOT_MEDICARE = "UHC|BCBS|CIGNA|AETNA|OTHER";
    private static final String ANY_LAB = "INDEPENDENT|HOSPITAL|PHYSICIAN_OFFICE";

    /** scenario; lab types; payers; technical line; professional line. */
    private static final String[][] TABLE = {
            {"plain", ANY_LAB, ALL, "", "-"},
            {"descendant of a supporting range", ANY_LAB, ALL, "", "-"},
            // Referred test, by lab type [2.1, 2.2, 2.4]
            {"referred", "INDEPENDENT", ALL, "90", "-"},
            {"referred", "HOSPITAL", ALL, "", "-"},
            {"referred", "PHYSICIAN_OFFICE", "MEDICARE|UHC|BCBS", "HOLD REFERRED_NOT_BILLABLE", "-"},
            {"referred", "PHYSICIAN_OFFICE", "CIGNA|AETNA|OTHER", "90", "-"},
            {"referred, hospital reviews", "HOSPITAL", ALL, "HOLD REFERRED_NOT_BILLABLE", "-"},
            // Unknown performing lab
            {"performing lab not named", ANY_LAB, ALL, "", "-"},
            {"performing lab not named, site holds", ANY_LAB, ALL, "HOLD UNKNOWN_PERFORMING_LAB", "-"},
            // Professional line [1.2]
            {"professional", ANY_LAB, ALL, "", "26"},
            {"professional, not on roster", ANY_LAB, ALL, "", "-"},
            {"professional, referred", "INDEPENDENT", ALL, "90", "-"},
            // ABN, supporting list, GZ, GY [2.1, 3]
            {"ABN 2, unsupported", ANY_LAB, "MEDICARE", "GA", "-"},
            {"ABN 2, unsupported", ANY_LAB, NOT_MEDICARE, "", "-"},
            {"ABN 3, supported", ANY_LAB, "MEDICARE", "GA", "-"},
            {"ABN 3, supported", ANY_LAB, NOT_MEDICARE, "", "-"},
            {"professional, ABN 2, unsupported", ANY_LAB, "MEDICARE", "GA", "26 GA"},
            {"professional, ABN 2, unsupported", ANY_LAB, NOT_MEDICARE, "", "26"},
            {"referred, ABN 2, unsupported", "INDEPENDENT", "MEDICARE", "90 GA", "-"},
            {"referred, ABN 2, unsupported", "HOSPITAL", "MEDICARE", "GA", "-"},
            {"referred, ABN 2, unsupported", "PHYSICIAN_OFFICE", "MEDICARE", "HOLD REFERRED_NOT_BILLABLE", "-"},
            {"unsupported, no ABN", ANY_LAB, "MEDICARE", "HOLD NOT_SUPPORTED_WITHOUT_ABN", "-"},
            {"unsupported, no ABN", ANY_LAB, NOT_MEDICARE, "", "-"},
            {"unsupported, ABN 1", ANY_LAB, "MEDICARE", "HOLD NOT_SUPPORTED_WITHOUT_ABN", "-"},
            {"unsupported, ABN 4", ANY_LAB, "MEDICARE", "HOLD NOT_SUPPORTED_WITHOUT_ABN", "-"},
            {"one supported among unsupported", ANY_LAB, ALL, "", "-"},
            {"professional, unsupported", ANY_LAB, "MEDICARE", "HOLD NOT_SUPPORTED_WITHOUT_ABN",
                    "HOLD NOT_SUPPORTED_WITHOUT_ABN"},
            {"professional, unsupported", ANY_LAB, NOT_MEDICARE, "", "26"},
            {"unsupported, payer wants GZ", ANY_LAB, "MEDICARE", "GZ", "-"},
            {"unsupported, payer wants GZ", ANY_LAB, NOT_MEDICARE, "", "-"},
            {"all excluded", ANY_LAB, "MEDICARE", "GY", "-"},
            {"all excluded", ANY_LAB, NOT_MEDICARE, "", "-"},
            {"all excluded, ABN 2", ANY_LAB, "MEDICARE", "GY", "-"},
            {"one excluded, one unsupported", ANY_LAB, "MEDICARE", "HOLD NOT_SUPPORTED_WITHOUT_ABN", "-"},
            {"no diagnosis", ANY_LAB, "MEDICARE", "HOLD NO_DIAGNOSIS", "-"},
            {"no diagnosis", ANY_LAB, NOT_MEDICARE, "", "-"},
            {"ICD-9 diagnosis", ANY_LAB, "MEDICARE", "HOLD DIAGNOSIS_NOT_ICD10CM", "-"},
            {"ICD-9 diagnosis", ANY_LAB, NOT_MEDICARE, "", "-"},
            {"ICD-10 and ICD-9 diagnoses", ANY_LAB, "MEDICARE", "HOLD DIAGNOSIS_NOT_ICD10CM", "-"},
            // Inpatient at an independent lab [2.2]
            {"inpatient", "INDEPENDENT", "MEDICARE", "HOLD INPATIENT_AT_INDEPENDENT_LAB", "-"},
            {"inpatient", "INDEPENDENT", NOT_MEDICARE, "", "-"},
            {"inpatient", "HOSPITAL|PHYSICIAN_OFFICE", ALL, "", "-"},
            {"inpatient, client-bill profile", "INDEPENDENT", "MEDICARE", "", "-"},
            // Payer (§1, §6)
            {"result before order", ANY_LAB, ALL, "HOLD PAYER_UNKNOWN", "-"},
            {"order without IN1", ANY_LAB, ALL, "HOLD PAYER_UNKNOWN", "-"},
            {"result before order, charged as OTHER", ANY_LAB, ALL, "", "-"},
            // Inputs every line needs (§6)
            {"no collection date", ANY_LAB, ALL, "HOLD NO_COLLECTION_DATE", "-"},
            {"no ordering provider", ANY_LAB, ALL, "HOLD NO_ORDERING_PROVIDER", "-"},
            {"result status outside 0123", ANY_LAB, ALL, "HOLD UNKNOWN_RESULT_STATUS", "-"},
            // Same-day repeat and MUE [2.1, 1.3]
            {"same-day repeat", ANY_LAB, ALL, "HOLD SAME_DAY_REPEAT_OR_DUPLICATE", "-"},
            {"duplicate order", ANY_LAB, ALL, "HOLD SAME_DAY_REPEAT_OR_DUPLICATE", "-"},
            {"same-day repeat, 91", ANY_LAB, ALL, "91", "-"},
            {"same-day repeat, 91, professional", ANY_LAB, ALL, "91", "26 91"},
            {"same-day repeat, 91, referred, ABN 2", "INDEPENDENT", "MEDICARE", "90 91 GA", "-"},
            {"MUE practitioner 1, facility 2", "INDEPENDENT|PHYSICIAN_OFFICE", ALL, "HOLD MUE_EXCEEDED", "-"},
            {"MUE practitioner 1, facility 2", "HOSPITAL", ALL, "91", "-"},
            {"same order posted before (a correction)", ANY_LAB, ALL, "", "-"},
            {"training traffic", ANY_LAB, ALL, "", "-"},
            // Recognition (§3)
            {"unmapped IEP-like test", ANY_LAB, ALL, "HOLD UNMAPPED_IEP_LIKE_TEST", "-"},
            {"not a charge-master test", ANY_LAB, ALL, "-", "-"},
    };

    static Stream<Arguments> rows() {
        return Arrays.stream(TABLE).flatMap(row -> Arrays.stream(row[1].split("\\|"))
                .flatMap(lab -> Arrays.stream(row[2].split("\\|"))
                        .map(payer -> Arguments.of(row[0], LabType.valueOf(lab), payer, row[3], row[4]))));
    }

    @ParameterizedTest(name = "{0} | {1} | {2} -> T [{3}] P [{4}]")
    @MethodSource("rows")
    void decidesAsTheContractSays(String scenario, LabType labType, String payer, String technical,
                                  String professional) {
        Scenario s = new Scenario();
        s.labType = labType;
        s.payer = payer;
        assertThat(SCENARIOS).containsKey(scenario);
        SCENARIOS.get(scenario).accept(s);

        Decision decision = s.decide();

        assertLine(decision, LineKind.T, technical);
        assertLine(decision, LineKind.P, professional);
        assertThat(decision.trace()).isNotEmpty();
        assertThat(decision.rulesVersion()).hasSize(12);
    }

    @org.junit.jupiter.api.Test
    void everyScenarioIsInTheTable() {
        assertThat(Arrays.stream(TABLE).map(row -> row[0]).distinct()).containsExactlyInAnyOrderElementsOf(
                SCENARIOS.keySet());
    }

    private static void assertLine(Decision decision, LineKind kind, String expected) {
        List<DecidedLine> lines = decision.lines().stream().filter(l -> l.line().kind() == kind).toList();
        if (expected.equals("-")) {
            assertThat(lines).as("no %s line", kind).isEmpty();
            return;
        }
        assertThat(lines).as("one %s line", kind).hasSize(1);
        DecidedLine line = lines.get(0);
        if (expected.startsWith("HOLD ")) {
            assertThat(line.isHeld()).as("%s line held", kind).isTrue();
            assertThat(line.hold().reason()).as("%s hold reason (%s)", kind, line.hold().text())
                    .isEqualTo(HoldReason.valueOf(expected.substring(5)));
            assertThat(line.hold().text()).startsWith(line.hold().reason().label());
            return;
        }
        assertThat(line.hold()).as("%s line posted", kind).isNull();
        assertThat(line.line().modifiers()).as("%s modifiers", kind)
                .containsExactlyElementsOf(expected.isEmpty() ? List.of() : List.of(expected.split(" ")));
        assertThat(line.line().cpt()).isEqualTo("86320");
        assertThat(line.line().dateOfService()).isEqualTo(Scenario.COLLECTED);
        assertThat(line.line().transactionId()).isEmpty();
        assertThat(line.line().performedBy()).isEqualTo(kind == LineKind.P ? Scenario.PATHOLOGIST : Provider.NONE);
    }
}
