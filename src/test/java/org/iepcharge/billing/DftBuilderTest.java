package org.iepcharge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.iepcharge.domain.ChargeDocument;
import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.FinancialTransaction;
import org.iepcharge.domain.Insurance;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.Location;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.Patient;
import org.iepcharge.domain.PersonName;
import org.iepcharge.domain.Provider;
import org.iepcharge.domain.TransactionType;
import org.iepcharge.domain.Visit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The DFT^P03 of docs/decision-contract.md §8, asserted field by field on the raw ER7 text. Every expected value is
 * written by hand from the rules and the test document below — never copied from the builder's output.
 */
class DftBuilderTest {

    // ---- the test document -------------------------------------------------------------------------------------

    private static final DftSettings SETTINGS = new DftSettings("IEPCHARGE", "OURLAB", "BILLING", "HOSPITAL");

    private static final String POSTED_AT = "20240315101500";
    private static final String COLLECTED = "20240314083000";
    private static final String DESCRIPTION = "Immunoelectrophoresis, serum";
    private static final Provider ORDERING = new Provider("1234567893", new PersonName("Smith", "Jane", "Q"), "NPI");
    private static final Provider PATHOLOGIST = new Provider("9876543210", new PersonName("Path", "Paul", ""), "NPI");
    private static final EntityId FILLER = new EntityId("F-1001", "LIS");

    private static Patient patient(String family) {
        return new Patient("MRN123", "HOSP", "MR", new PersonName(family, "Anna", "B"), "19450607", "F");
    }

    private static OrderContext context(Patient patient, List<Diagnosis> diagnoses, List<Insurance> insurance,
                                        String abn) {
        return new OrderContext(new OrderKey(new EntityId("P-77", "EHR"), FILLER), patient,
                new Visit("O", new Location("LABDRAW", "12", "B", "MAIN"), "V555"), insurance, diagnoses, abn,
                ORDERING, "ORM-1");
    }

    private static final List<Diagnosis> DIAGNOSES = List.of(
            new Diagnosis("D47.2", "Monoclonal gammopathy", "I10", "W"),
            new Diagnosis("C90.00", "Multiple myeloma not in remission", "ICD10CM", ""));

    private static final List<Insurance> INSURANCE = List.of(
            new Insurance(1, 1, "MCR01", "MEDB", "Medicare Part B", "GRP9", "1EG4TE5MK72"),
            new Insurance(2, 2, "AET", "", "Aetna", "", "W123"));

    private static ChargeLine tLine(String id) {
        return new ChargeLine(id, LineKind.T, "86320", DESCRIPTION, "CDM-86320", 1, List.of(), COLLECTED,
                Provider.NONE);
    }

    private static ChargeLine pLine(String id, List<String> modifiers) {
        return new ChargeLine(id, LineKind.P, "86320", DESCRIPTION, "CDM-86320P", 1, modifiers, COLLECTED,
                PATHOLOGIST);
    }

    private static ChargeDocument doc(String controlId, OrderContext context, FinancialTransaction... transactions) {
        return new ChargeDocument(controlId, "P", POSTED_AT, context, FILLER, List.of(transactions));
    }

    private static ChargeDocument standardDoc(FinancialTransaction... transactions) {
        return doc("DFT0000001", context(patient("Doe"), DIAGNOSES, INSURANCE, "2"), transactions);
    }

    private static FinancialTransaction cg(ChargeLine line) {
        return new FinancialTransaction(TransactionType.CG, line);
    }

    private static FinancialTransaction cd(ChargeLine line) {
        return new FinancialTransaction(TransactionType.CD, line);
    }

    // ---- ER7 reading by hand: CR between segments, | fields, ~ repetitions, ^ components ----------------------

    private static List<String> segments(String er7) {
        return Arrays.stream(er7.split("\r")).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> segmentNames(String er7) {
        return segments(er7).stream().map(s -> s.substring(0, 3)).toList();
    }

    /** The n-th segment (0-based) with this name. */
    private static String segment(String er7, String name, int occurrence) {
        return segments(er7).stream().filter(s -> s.startsWith(name + "|")).skip(occurrence).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " #" + occurrence));
    }

    /** Field n of a segment, HL7 numbering. In MSH, MSH-1 is the field separator itself, so MSH-n is index n-1. */
    private static String field(String segment, int n) {
        String[] fields = segment.split("\\|", -1);
        int index = segment.startsWith("MSH|") ? n - 1 : n;
        return index < fields.length ? fields[index] : "";
    }

    private static String field(String er7, String name, int occurrence, int n) {
        return field(segment(er7, name, occurrence), n);
    }

    private static List<String> repetitions(String field) {
        return field.isEmpty() ? List.of() : List.of(field.split("~", -1));
    }

    private static List<String> components(String value) {
        return List.of(value.split("\\^", -1));
    }

    private static String build(ChargeDocument doc) {
        return new DftBuilder(SETTINGS).build(doc);
    }

    // ---- MSH, EVN, PID, PV1 ------------------------------------------------------------------------------------

    /** The standard document with one T line, built once per test. */
    private final String standardEr7 = build(standardDoc(cg(tLine("T00000000001"))));

    @Test
    void segmentsAreSeparatedByCrInTheOrderOfTheDftP03Structure() {
        assertThat(standardEr7).doesNotContain("\n");
        assertThat(segmentNames(standardEr7)).containsExactly("MSH", "EVN", "PID", "PV1", "FT1", "DG1", "DG1", "IN1",
                "IN1");
    }

    @Test
    void mshCarriesOursTheirsThePostingTimeTheControlIdAndVersion() {
        String msh = segment(standardEr7, "MSH", 0);
        assertThat(msh).startsWith("MSH|^~\\&|");
        assertThat(field(msh, 3)).isEqualTo("IEPCHARGE");
        assertThat(field(msh, 4)).isEqualTo("OURLAB");
        assertThat(field(msh, 5)).isEqualTo("BILLING");
        assertThat(field(msh, 6)).isEqualTo("HOSPITAL");
        assertThat(field(msh, 7)).isEqualTo("20240315101500");
        assertThat(field(msh, 9)).isEqualTo("DFT^P03^DFT_P03");
        assertThat(field(msh, 10)).isEqualTo("DFT0000001");
        assertThat(field(msh, 11)).isEqualTo("P");
        assertThat(field(msh, 12)).isEqualTo("2.5.1");
        // original-mode acknowledgement: MSH-15/16 empty
        assertThat(field(msh, 15)).isEmpty();
        assertThat(field(msh, 16)).isEmpty();
    }

    @Test
    void processingIdIsCopiedFromTheDocument() {
        ChargeDocument training = new ChargeDocument("DFT0000002", "T", POSTED_AT,
                context(patient("Doe"), DIAGNOSES, INSURANCE, ""), FILLER, List.of(cg(tLine("T1"))));
        assertThat(field(build(training), "MSH", 0, 11)).isEqualTo("T");
    }

    @Test
    void evnIsP03AtThePostingTime() {
        assertThat(field(standardEr7, "EVN", 0, 1)).isEqualTo("P03");
        assertThat(field(standardEr7, "EVN", 0, 2)).isEqualTo("20240315101500");
    }

    @Test
    void pidComesFromTheOrderContext() {
        assertThat(field(standardEr7, "PID", 0, 3)).isEqualTo("MRN123^^^HOSP^MR");
        assertThat(field(standardEr7, "PID", 0, 5)).isEqualTo("Doe^Anna^B");
        assertThat(field(standardEr7, "PID", 0, 7)).isEqualTo("19450607");
        assertThat(field(standardEr7, "PID", 0, 8)).isEqualTo("F");
    }

    @Test
    void pv1ComesFromTheOrderContext() {
        assertThat(field(standardEr7, "PV1", 0, 2)).isEqualTo("O");
        assertThat(field(standardEr7, "PV1", 0, 3)).isEqualTo("LABDRAW^12^B^MAIN");
        assertThat(field(standardEr7, "PV1", 0, 19)).isEqualTo("V555");
    }

    // ---- FT1 ---------------------------------------------------------------------------------------------------

    @Test
    void technicalLineWithoutModifiers() {
        String ft1 = segment(build(standardDoc(cg(tLine("T00000000001")))), "FT1", 0);

        assertThat(field(ft1, 1)).isEqualTo("1");
        assertThat(field(ft1, 2)).isEqualTo("T00000000001");
        assertThat(field(ft1, 4)).isEqualTo("20240314083000");          // collection date, not posting date
        assertThat(field(ft1, 5)).isEqualTo("20240315101500");
        assertThat(field(ft1, 6)).isEqualTo("CG");
        assertThat(field(ft1, 7)).isEqualTo("CDM-86320");
        assertThat(field(ft1, 10)).isEqualTo("1");
        assertThat(field(ft1, 16)).isEqualTo("LABDRAW^12^B^MAIN");      // = PV1-3
        assertThat(repetitions(field(ft1, 19))).containsExactly(
                "D47.2^Monoclonal gammopathy^I10",
                "C90.00^Multiple myeloma not in remission^I10");
        assertThat(field(ft1, 20)).isEmpty();                          // T line: no performer
        assertThat(field(ft1, 21)).isEqualTo("1234567893^Smith^Jane^Q^^^^^NPI");
        assertThat(field(ft1, 23)).isEqualTo("F-1001^LIS");
        assertThat(field(ft1, 25)).isEqualTo("86320^Immunoelectrophoresis, serum^C4");
        assertThat(field(ft1, 26)).isEmpty();
        assertThat(field(ft1, 27)).isEqualTo("2^^HL70339");
    }

    @Test
    void professionalLineWith26AndGaNamesThePathologist() {
        String er7 = build(standardDoc(cg(tLine("T00000000001")), cg(pLine("P00000000001", List.of("26", "GA")))));
        String ft1 = segment(er7, "FT1", 1);

        assertThat(field(ft1, 1)).isEqualTo("2");
        assertThat(field(ft1, 2)).isEqualTo("P00000000001");
        assertThat(field(ft1, 6)).isEqualTo("CG");
        assertThat(field(ft1, 7)).isEqualTo("CDM-86320P");
        assertThat(repetitions(field(ft1, 20))).containsExactly("9876543210^Path^Paul^^^^^^NPI");
        assertThat(field(ft1, 21)).isEqualTo("1234567893^Smith^Jane^Q^^^^^NPI");
        assertThat(field(ft1, 25)).isEqualTo("86320^Immunoelectrophoresis, serum^C4");
        assertThat(repetitions(field(ft1, 26))).containsExactly("26^^CPTM", "GA^^HCPCS");
        assertThat(field(ft1, 27)).isEqualTo("2^^HL70339");
    }

    @Test
    void creditCarriesTheSameTransactionIdAsItsChargeWithTypeCd() {
        ChargeLine line = pLine("P00000000042", List.of("26", "GA"));
        String charge = segment(build(standardDoc(cg(line))), "FT1", 0);
        String credit = segment(build(standardDoc(cd(line))), "FT1", 0);

        assertThat(field(charge, 2)).isEqualTo("P00000000042");
        assertThat(field(charge, 6)).isEqualTo("CG");
        assertThat(field(credit, 2)).isEqualTo("P00000000042");
        assertThat(field(credit, 6)).isEqualTo("CD");
        // the credit mirrors the charge: code, units, date of service, CPT, modifiers [4.5]
        assertThat(field(credit, 7)).isEqualTo("CDM-86320P");
        assertThat(field(credit, 10)).isEqualTo("1");
        assertThat(field(credit, 4)).isEqualTo("20240314083000");
        assertThat(field(credit, 25)).isEqualTo("86320^Immunoelectrophoresis, serum^C4");
        assertThat(repetitions(field(credit, 26))).containsExactly("26^^CPTM", "GA^^HCPCS");
    }

    @Test
    void creditAndNewChargeForTheSameLineMayShareOneMessage() {
        ChargeLine line = tLine("T00000000007");
        String er7 = build(standardDoc(cd(line), cg(line.withTransactionId("T00000000008"))));

        assertThat(field(er7, "FT1", 0, 1)).isEqualTo("1");
        assertThat(field(er7, "FT1", 0, 2)).isEqualTo("T00000000007");
        assertThat(field(er7, "FT1", 0, 6)).isEqualTo("CD");
        assertThat(field(er7, "FT1", 1, 1)).isEqualTo("2");
        assertThat(field(er7, "FT1", 1, 2)).isEqualTo("T00000000008");
        assertThat(field(er7, "FT1", 1, 6)).isEqualTo("CG");
    }

    @Test
    void theSameTransactionIdAndTypeTwiceIsRejected() {
        ChargeLine line = tLine("T00000000007");
        assertThatThrownBy(() -> build(standardDoc(cg(line), cg(line))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FT1-2");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "26, CPTM", "90, CPTM", "91, CPTM", "59, CPTM",
            "TC, HCPCS", "GA, HCPCS", "GZ, HCPCS", "GY, HCPCS", "XE, HCPCS", "XS, HCPCS", "XP, HCPCS", "XU, HCPCS"})
    void modifierCodingSystem(String modifier, String codingSystem) {
        ChargeLine line = pLine("P1", List.of(modifier));
        String ft1 = segment(build(standardDoc(cg(line))), "FT1", 0);
        assertThat(components(field(ft1, 26))).containsExactly(modifier, "", codingSystem);
    }

    @Test
    void modifiersKeepTheirOrderOnePerRepetition() {
        ChargeLine line = pLine("P1", List.of("26", "90", "XU", "GZ"));
        String ft1 = segment(build(standardDoc(cg(line))), "FT1", 0);
        assertThat(repetitions(field(ft1, 26)))
                .containsExactly("26^^CPTM", "90^^CPTM", "XU^^HCPCS", "GZ^^HCPCS");
    }

    @Test
    void aModifierWithoutAKnownCodingSystemIsRejectedNotGuessed() {
        assertThatThrownBy(() -> build(standardDoc(cg(pLine("P1", List.of("26", "QW"))))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("QW");
    }

    @Test
    void transactionIdLongerThan12IsRejected() {
        assertThatThrownBy(() -> build(standardDoc(cg(tLine("T000000000001")))))   // 13 characters
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FT1-2");
    }

    @Test
    void transactionIdOf12IsAccepted() {
        assertThat(field(build(standardDoc(cg(tLine("123456789012")))), "FT1", 0, 2)).isEqualTo("123456789012");
    }

    @Test
    void emptyTransactionIdIsRejected() {
        assertThatThrownBy(() -> build(standardDoc(cg(tLine("")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FT1-2");
    }

    @Test
    void controlIdLongerThan20IsRejected() {
        OrderContext context = context(patient("Doe"), DIAGNOSES, INSURANCE, "2");
        assertThatThrownBy(() -> build(doc("123456789012345678901", context, cg(tLine("T1")))))   // 21
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MSH-10");
    }

    @Test
    void controlIdOf20IsAccepted() {
        OrderContext context = context(patient("Doe"), DIAGNOSES, INSURANCE, "2");
        String er7 = build(doc("12345678901234567890", context, cg(tLine("T1"))));
        assertThat(field(er7, "MSH", 0, 10)).isEqualTo("12345678901234567890");
    }

    @Test
    void emptyControlIdIsRejected() {
        OrderContext context = context(patient("Doe"), DIAGNOSES, INSURANCE, "2");
        assertThatThrownBy(() -> build(doc("", context, cg(tLine("T1")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MSH-10");
    }

    @Test
    void aDocumentWithoutTransactionsIsRejected() {
        assertThatThrownBy(() -> build(standardDoc()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FT1");
    }

    @Test
    void noAbnStatusLeavesFt1Dash27Empty() {
        String er7 = build(doc("DFT1", context(patient("Doe"), DIAGNOSES, INSURANCE, ""), cg(tLine("T1"))));
        assertThat(field(er7, "FT1", 0, 27)).isEmpty();
    }

    @Test
    void icdCodingSystemI10cIsWrittenInFt1Dash19AndDg1Dash3() {
        DftSettings i10c = new DftSettings("IEPCHARGE", "OURLAB", "BILLING", "HOSPITAL", "2.5.1", "I10C");
        String er7 = new DftBuilder(i10c).build(standardDoc(cg(tLine("T1"))));
        assertThat(repetitions(field(er7, "FT1", 0, 19))).containsExactly(
                "D47.2^Monoclonal gammopathy^I10C",
                "C90.00^Multiple myeloma not in remission^I10C");
        assertThat(field(er7, "DG1", 0, 3)).isEqualTo("D47.2^Monoclonal gammopathy^I10C");
    }

    @Test
    void aNonIcd10DiagnosisKeepsItsOwnCodingSystem() {
        List<Diagnosis> icd9 = List.of(new Diagnosis("273.1", "Monoclonal paraproteinemia", "I9C", "F"));
        String er7 = build(doc("DFT1", context(patient("Doe"), icd9, INSURANCE, ""), cg(tLine("T1"))));
        assertThat(field(er7, "FT1", 0, 19)).isEqualTo("273.1^Monoclonal paraproteinemia^I9C");
        assertThat(field(er7, "DG1", 0, 3)).isEqualTo("273.1^Monoclonal paraproteinemia^I9C");
    }

    // ---- DG1, IN1 ----------------------------------------------------------------------------------------------

    @Test
    void oneDg1PerDiagnosisWithTheInboundTypeElseF() {
        String er7 = build(standardDoc(cg(tLine("T1"))));
        assertThat(field(er7, "DG1", 0, 1)).isEqualTo("1");
        assertThat(field(er7, "DG1", 0, 3)).isEqualTo("D47.2^Monoclonal gammopathy^I10");
        assertThat(field(er7, "DG1", 0, 6)).isEqualTo("W");
        assertThat(field(er7, "DG1", 1, 1)).isEqualTo("2");
        assertThat(field(er7, "DG1", 1, 3)).isEqualTo("C90.00^Multiple myeloma not in remission^I10");
        assertThat(field(er7, "DG1", 1, 6)).isEqualTo("F");
    }

    @Test
    void oneIn1PerKnownInsurance() {
        String er7 = build(standardDoc(cg(tLine("T1"))));
        String first = segment(er7, "IN1", 0);
        assertThat(field(first, 1)).isEqualTo("1");
        assertThat(field(first, 2)).isEqualTo("MEDB");
        assertThat(field(first, 3)).isEqualTo("MCR01");
        assertThat(field(first, 4)).isEqualTo("Medicare Part B");
        assertThat(field(first, 8)).isEqualTo("GRP9");
        assertThat(field(first, 22)).isEqualTo("1");
        assertThat(field(first, 36)).isEqualTo("1EG4TE5MK72");
        String second = segment(er7, "IN1", 1);
        assertThat(field(second, 1)).isEqualTo("2");
        assertThat(field(second, 2)).isEmpty();
        assertThat(field(second, 3)).isEqualTo("AET");
        assertThat(field(second, 4)).isEqualTo("Aetna");
        assertThat(field(second, 22)).isEqualTo("2");
        assertThat(field(second, 36)).isEqualTo("W123");
    }

    @Test
    void noIn1NorDg1WhenNoneAreKnown() {
        String er7 = build(doc("DFT1", context(patient("Doe"), List.of(), List.of(), ""), cg(tLine("T1"))));
        assertThat(segmentNames(er7)).containsExactly("MSH", "EVN", "PID", "PV1", "FT1");
        assertThat(field(er7, "FT1", 0, 19)).isEmpty();
    }

    // ---- text, determinism, side effects, version ---------------------------------------------------------------

    @Test
    void nonAsciiNameSurvives() {
        String er7 = build(doc("DFT1", context(patient("Müller"), DIAGNOSES, INSURANCE, "2"), cg(tLine("T1"))));
        assertThat(components(field(er7, "PID", 0, 5))).first().isEqualTo("Müller");
        // and survives the caller's UTF-8 encoding
        String roundTrip = new String(er7.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertThat(field(roundTrip, "PID", 0, 5)).isEqualTo("Müller^Anna^B");
        // MSH-18 says the bytes are UTF-8 (an empty MSH-18 means ASCII): parts[n - 1] of the MSH line is MSH-n
        assertThat(er7.split("\r")[0].split("\\|", -1)[17]).isEqualTo("UNICODE UTF-8");
    }

    @Test
    void asciiDftLeavesMsh18Empty() {
        String er7 = build(doc("DFT2", context(patient("Muller"), DIAGNOSES, INSURANCE, "2"), cg(tLine("T1"))));
        String[] msh = er7.split("\r")[0].split("\\|", -1);
        assertThat(msh.length < 18 || msh[17].isEmpty()).as(er7.split("\r")[0]).isTrue();
    }

    @Test
    void delimitersInValuesAreEscaped() {
        List<Insurance> odd = List.of(new Insurance(1, 1, "X1", "", "Smith & Sons|Health", "", ""));
        String er7 = build(doc("DFT1", context(patient("Doe"), DIAGNOSES, odd, ""), cg(tLine("T1"))));
        assertThat(field(er7, "IN1", 0, 4)).isEqualTo("Smith \\T\\ Sons\\F\\Health");
    }

    @Test
    void theSameDocumentGivesTheSameString() {
        ChargeDocument doc = standardDoc(cg(tLine("T1")), cg(pLine("P1", List.of("26", "GA"))));
        String first = new DftBuilder(SETTINGS).build(doc);
        assertThat(new DftBuilder(SETTINGS).build(doc)).isEqualTo(first);
        DftBuilder reused = new DftBuilder(SETTINGS);
        assertThat(reused.build(doc)).isEqualTo(reused.build(doc)).isEqualTo(first);
    }

    /**
     * One builder keeps one message per thread and empties it between builds: documents of different shapes built
     * one after the other — more and fewer FT1, DG1 and IN1, a non-ASCII name (MSH-18 set) then an ASCII one, a
     * professional line's FT1-20 and modifiers then a technical line without — each give exactly what a new builder
     * gives for that document alone.
     */
    @Test
    void aBuilderReusedOnOneThreadGivesWhatANewBuilderGives() {
        List<Insurance> one = List.of(new Insurance(1, 1, "X1", "", "Smith & Sons|Health", "", ""));
        List<ChargeDocument> sequence = List.of(
                doc("DFT1", context(patient("Müller"), DIAGNOSES, INSURANCE, "2"), cg(tLine("T1")),
                        cg(pLine("P1", List.of("26", "GA"))), cd(tLine("T0"))),
                doc("DFT2", context(patient("Doe"), List.of(), List.of(), ""), cg(tLine("T2"))),
                doc("DFT3", context(patient("Doe"), DIAGNOSES.subList(0, 1), one, "2"),
                        cg(pLine("P3", List.of("26")))),
                standardDoc(cg(tLine("T4")), cd(tLine("T4"))),
                doc("DFT5", context(patient("Smith"), DIAGNOSES, INSURANCE, ""), cg(tLine("T5"))));
        DftBuilder reused = new DftBuilder(SETTINGS);
        for (int round = 0; round < 2; round++) {
            for (ChargeDocument d : sequence) {
                assertThat(reused.build(d)).as(d.controlId()).isEqualTo(new DftBuilder(SETTINGS).build(d));
            }
        }
        assertThat(segmentNames(reused.build(sequence.get(1)))).containsExactly("MSH", "EVN", "PID", "PV1", "FT1");
    }

    /**
     * The reused message keeps each field's first repetition, emptied, from one build to the next: generated
     * documents — each value present or empty, 1–4 transactions of either kind with 0–3 modifiers, 0–3 diagnoses and
     * insurances, ASCII and non-ASCII names, characters HL7 escapes — built one after the other on one builder (one
     * thread) give byte for byte what a new builder gives for each alone. A value left over from an earlier document,
     * or an emptied repetition encoded differently from an absent field, fails here.
     */
    @Test
    void generatedDocumentsBuiltOneAfterTheOtherOnOneBuilderGiveWhatANewBuilderGives() {
        java.util.Random random = new java.util.Random(20261206L);
        DftBuilder reused = new DftBuilder(SETTINGS);
        for (int i = 0; i < 300; i++) {
            ChargeDocument d = generated(random, i);
            assertThat(reused.build(d)).as("generated document %d", i).isEqualTo(new DftBuilder(SETTINGS).build(d));
        }
    }

    private static final String[] VALUES = {"", "A", "Doe", "Müller", "O'Brien-Smith", "Smith & Sons", "X^Y", "x~y|z",
        "back\\slash", "Ærø", "99"};

    private static String any(java.util.Random random) {
        return VALUES[random.nextInt(VALUES.length)];
    }

    /** Optional text: empty in about half of the documents, so fields come and go between builds. */
    private static String maybe(java.util.Random random, String value) {
        return random.nextBoolean() ? value : "";
    }

    private static ChargeDocument generated(java.util.Random random, int n) {
        PersonName name = new PersonName(any(random), maybe(random, any(random)), maybe(random, any(random)));
        Patient patient = new Patient("MRN" + n, maybe(random, "HOSP"), maybe(random, "MR"), name,
                maybe(random, "19450607"), maybe(random, "F"));
        List<Diagnosis> diagnoses = new java.util.ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            diagnoses.add(new Diagnosis("D47." + i, maybe(random, any(random)), random.nextBoolean() ? "I10" : "",
                    maybe(random, "W")));
        }
        List<Insurance> insurance = new java.util.ArrayList<>();
        for (int i = 1; i <= random.nextInt(4); i++) {
            insurance.add(new Insurance(i, random.nextBoolean() ? i : null, maybe(random, "MCR0" + i),
                    maybe(random, "PLAN"), maybe(random, any(random)), maybe(random, "GRP"), maybe(random, "POL" + i)));
        }
        Provider ordering = random.nextBoolean() ? ORDERING : Provider.NONE;
        Location location = random.nextBoolean() ? new Location("LABDRAW", maybe(random, "12"), maybe(random, "B"),
                maybe(random, "MAIN")) : Location.NONE;
        OrderContext context = new OrderContext(new OrderKey(new EntityId("P-" + n, "EHR"), FILLER), patient,
                new Visit(maybe(random, "O"), location, maybe(random, "V" + n)), insurance, diagnoses,
                maybe(random, "2"), ordering, "ORM-" + n);
        List<FinancialTransaction> transactions = new java.util.ArrayList<>();
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            String id = "T" + n + "-" + i;
            List<String> modifiers = List.of("26", "GA", "59").subList(0, random.nextInt(4));
            ChargeLine line = random.nextBoolean()
                    ? new ChargeLine(id, LineKind.P, "86320", maybe(random, DESCRIPTION), maybe(random, "CDM-P"), 1,
                    modifiers, maybe(random, COLLECTED), random.nextBoolean() ? PATHOLOGIST : Provider.NONE)
                    : new ChargeLine(id, LineKind.T, "86320", maybe(random, DESCRIPTION), "CDM-86320",
                    1 + random.nextInt(3), List.of(), maybe(random, COLLECTED), Provider.NONE);
            transactions.add(new FinancialTransaction(random.nextBoolean() ? TransactionType.CG : TransactionType.CD,
                    line));
        }
        return new ChargeDocument("DFT" + n, random.nextBoolean() ? "P" : "T", POSTED_AT, context,
                random.nextBoolean() ? FILLER : EntityId.NONE, transactions);
    }

    @Test
    void noIdFileIsCreatedInTheWorkingDirectory() {
        Path idFile = Path.of("id_file").toAbsolutePath();
        boolean existedBefore = Files.exists(idFile);
        build(standardDoc(cg(tLine("T1")), cd(tLine("T1"))));
        new DftBuilder(SETTINGS).build(standardDoc(cg(tLine("T2"))));
        DftFacts.read(build(standardDoc(cg(tLine("T3")))));
        assertThat(Files.exists(idFile)).as("HAPI id_file in %s", idFile).isEqualTo(existedBefore);
        assertThat(existedBefore).as("a stale id_file already exists in %s", idFile).isFalse();
    }

    @Test
    void hapiIdGenerationFailsLoudlyInsteadOfWritingAFile() throws Exception {
        // initQuickstart is the HAPI call that would generate MSH-10 (and create id_file); the builder never makes it.
        var message = org.iepcharge.hl7.HapiContexts.create().newMessage(ca.uhn.hl7v2.model.v251.message.DFT_P03.class);
        assertThatThrownBy(() -> message.initQuickstart("DFT", "P03", "P"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("MSH-10");
        assertThat(Path.of("id_file")).doesNotExist();
    }

    @Test
    void version25OptionKeepsFt1Dash26AndDash27() {
        DftSettings v25 = new DftSettings("IEPCHARGE", "OURLAB", "BILLING", "HOSPITAL", "2.5", "I10");
        String er7 = new DftBuilder(v25).build(standardDoc(cg(pLine("P1", List.of("26", "GA")))));
        assertThat(field(er7, "MSH", 0, 12)).isEqualTo("2.5");
        assertThat(field(er7, "MSH", 0, 9)).isEqualTo("DFT^P03^DFT_P03");
        assertThat(repetitions(field(er7, "FT1", 0, 26))).containsExactly("26^^CPTM", "GA^^HCPCS");
        assertThat(field(er7, "FT1", 0, 27)).isEqualTo("2^^HL70339");
    }

    @Test
    void defaultSettingsAre251AndI10() {
        assertThat(SETTINGS.version()).isEqualTo("2.5.1");
        assertThat(SETTINGS.icdCodingSystem()).isEqualTo("I10");
    }

    @ParameterizedTest
    @CsvSource({"2.3, I10", "2.4, I10", "2.6, I10", "2.5.1, I9C", "2.5.1, ICD10CM"})
    void unsupportedVersionsAndCodingSystemsAreRefused(String version, String icd) {
        assertThatThrownBy(() -> new DftSettings("A", "B", "C", "D", version, icd))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
