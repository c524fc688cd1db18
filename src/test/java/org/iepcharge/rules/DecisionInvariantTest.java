package org.iepcharge.rules;

import org.iepcharge.domain.HoldReason;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.CodedValue;
import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.Insurance;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.Location;
import org.iepcharge.domain.MessageHeader;
import org.iepcharge.domain.Observation;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.OrderedTest;
import org.iepcharge.domain.Patient;
import org.iepcharge.domain.PersonName;
import org.iepcharge.domain.Provider;
import org.iepcharge.domain.Visit;
import org.junit.jupiter.api.Test;

/**
 * Over many generated inputs and rule files, whatever the data: never more than four modifiers, never two of
 * GA/GY/GZ [2.1], never TC on an indicator-6 CPT [1.2], modifiers always in the order of §5, every hold has a reason
 * and a text, and no exception.
 */
class DecisionInvariantTest {
    private static final int INPUTS = 12_000;
    private static final List<String> WRITTEN_ORDER = List.of("26", "TC", "90", "91", "59", "XE", "XS", "XP", "XU",
            "GA", "GZ", "GY");

    private final Random random = new Random(20250301L);

    @Test
    void invariantsHoldForGeneratedInputs() {
        List<RuleSet> ruleSets = ruleSets();
        assertThat(ruleSets).hasSizeGreaterThan(20);
        int held = 0;
        int posted = 0;
        for (int i = 0; i < INPUTS; i++) {
            RuleSet rules = ruleSets.get(random.nextInt(ruleSets.size()));
            DecisionInput in = input();
            Decision decision = new ChargeDecider(rules).decide(in);
            assertThat(decision.lines()).hasSizeLessThanOrEqualTo(2);
            assertThat(decision.lines().stream().map(l -> l.line().kind()).distinct().count())
                    .isEqualTo(decision.lines().size());
            for (DecidedLine line : decision.lines()) {
                checkLine(rules, line, in);
                if (line.isHeld()) {
                    held++;
                } else {
                    posted++;
                }
            }
        }
        // The invariants are asserted per case above (checkLine). The generator must also reach both outcomes often,
        // or those per-case checks prove little.
        assertThat(held).isGreaterThan(1_000);
        assertThat(posted).isGreaterThan(1_000);
    }

    /**
     * The engine decides without the trace ({@link ChargeDecider#decideUntraced}); {@code explain} with it. Over the
     * same generated inputs both must give the same outcome, lines, holds (reason and text, which are stored) and
     * rules version; only the trace differs, empty without it.
     */
    @Test
    void theUntracedDecisionIsTheTracedOneWithoutItsTrace() {
        List<RuleSet> ruleSets = ruleSets();
        int traced = 0;
        for (int i = 0; i < INPUTS; i++) {
            RuleSet rules = ruleSets.get(random.nextInt(ruleSets.size()));
            DecisionInput in = input();
            ChargeDecider decider = new ChargeDecider(rules);
            Decision full = decider.decide(in);
            Decision untraced = decider.decideUntraced(in);
            assertThat(untraced.trace()).isEmpty();
            assertThat(untraced).as("for %s", in).isEqualTo(new Decision(full.outcome(), full.lines(), List.of(),
                    full.rulesVersion()));
            traced += full.trace().isEmpty() ? 0 : 1;
        }
        assertThat(traced).as("the traced decisions do carry a trace").isEqualTo(INPUTS);
    }

    private static void checkLine(RuleSet rules, DecidedLine decided, DecisionInput in) {
        ChargeLine line = decided.line();
        List<String> modifiers = line.modifiers();
        String context = line + " for " + in;
        assertThat(modifiers).as(context).hasSizeLessThanOrEqualTo(4);
        assertThat(modifiers.stream().filter(m -> m.equals("GA") || m.equals("GY") || m.equals("GZ")).count())
                .as(context).isLessThanOrEqualTo(1);
        assertThat(modifiers).as(context).doesNotHaveDuplicates();
        assertThat(WRITTEN_ORDER).as(context).containsAll(modifiers);
        List<Integer> positions = modifiers.stream().map(WRITTEN_ORDER::indexOf).toList();
        assertThat(positions).as(context).isSorted();
        if (modifiers.contains("TC")) {
            assertThat(rules.chargeMaster()).as(context)
                    .filteredOn(e -> e.cpt().equals(line.cpt())).allMatch(e -> e.pcTcIndicator() == 1);
        }
        assertThat(modifiers.contains("26")).as(context).isEqualTo(line.kind() == LineKind.P);
        if (line.kind() == LineKind.P) {
            assertThat(modifiers.get(0)).isEqualTo("26");
            assertThat(modifiers).doesNotContain("TC", "90");
        }
        if (decided.isHeld()) {
            assertThat(decided.hold().reason()).as(context).isNotNull();
            assertThat(decided.hold().text()).as(context).isNotBlank();
            assertThat(decided.hold().reason()).isNotEqualTo(HoldReason.CANCEL_AFTER_RESULT);
        } else {
            assertThat(line.cpt()).as(context).isNotEmpty();
            assertThat(line.dateOfService()).as(context).isNotEmpty();
        }
    }

    // --- rule files: every combination of the knobs that matter, refused combinations skipped --------------------

    private List<RuleSet> ruleSets() {
        List<RuleSet> result = new ArrayList<>();
        int refused = 0;
        for (LabType labType : LabType.values()) {
            for (String repeat : List.of("HOLD", "MODIFIER_91")) {
                for (String extras : List.of("{}", "{\"86320\": [XU]}", "{\"86320\": [59, XE]}",
                        "{\"88184\": [XS]}")) {
                    for (boolean gz : List.of(false, true)) {
                        for (boolean excluded : List.of(false, true)) {
                            try {
                                result.add(RuleSet.parse("generated.yaml",
                                        rulesText(labType, repeat, extras, gz, excluded)));
                            } catch (RulesException e) {
                                refused++;
                            }
                        }
                    }
                }
            }
        }
        assertThat(refused).as("some generated files must be refused (e.g. 90+91+59+XE+GA)").isPositive();
        return result;
    }

    private String rulesText(LabType labType, String repeat, String extras, boolean gz, boolean excluded) {
        boolean flip = random.nextBoolean();
        return """
                site:
                  lab:
                    type: %s
                    ids: [%s]
                  unknownPerformingLab: %s
                  referredTestAtHospital: %s
                  professionalBilling: %s
                  pathologists: [PATH1]
                  payerWhenUnknown: %s
                  sameDayRepeat: %s
                chargeMaster:
                  - { code: "13169-8", system: LN, cpt: "86320", description: IEP SERUM, pcTcIndicator: 6 }
                  - { code: IEPS, system: L, cpt: "86320", description: IEP SERUM, pcTcIndicator: 6, units: 2 }
                  - { code: FLOW, system: L, cpt: "88184", description: FLOW CYTOMETRY, pcTcIndicator: 1 }
                mue:
                  "86320": { practitioner: %d, facility: %d }
                extraModifiers: %s
                payerMap:
                  - { id: "00430", profile: MEDICARE }
                  - { id: "87726", profile: UHC }
                  - { name: ACME, profile: CLIENT }
                payers:
                  MEDICARE:
                    referralModifier90For: [INDEPENDENT]
                    medicalNecessityRules: true
                    supportingDiagnoses: [D47.2, C90.0-C90.3, D80-D84]
                    excludedDiagnoses: %s
                    unsupportedWithoutAbn: %s
                    inpatientAtIndependentLab: %s
                  UHC:
                    technicalModifier: TC
                    technicalModifierCpts: ["88184"]
                  CLIENT:
                    referralModifier90For: [INDEPENDENT, PHYSICIAN_OFFICE]
                    professionalComponent: %s
                  OTHER:
                    referralModifier90For: [INDEPENDENT, PHYSICIAN_OFFICE]
                """.formatted(labType, flip ? "OURLAB" : "OURLAB, LAB2", flip ? "OURS" : "HOLD",
                flip ? "NO_MODIFIER" : "HOLD", random.nextBoolean(), random.nextBoolean() ? "HOLD" : "OTHER", repeat,
                1 + random.nextInt(3), 1 + random.nextInt(3), extras, excluded ? "[Z00.0, Z01]" : "[]",
                gz ? "GZ" : "HOLD", random.nextBoolean() ? "HOLD" : "CLIENT", flip ? "BILL" : "OMIT");
    }

    // --- inputs -------------------------------------------------------------------------------------------------

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private <T> List<T> some(int max, Supplier<T> item) {
        List<T> list = new ArrayList<>();
        int n = random.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            list.add(item.get());
        }
        return list;
    }

    private EntityId id(String... values) {
        String value = pick(List.of(values));
        return value.isEmpty() ? EntityId.NONE : new EntityId(value, pick(List.of("EHR", "LIS", "")));
    }

    private DecisionInput input() {
        OrderKey key = new OrderKey(id("P1", "P2", ""), id("F1", "F2", ""));
        Patient patient = new Patient(pick(List.of("MRN1", "MRN2", "")), "HOSP", "MR", PersonName.EMPTY, "", "");
        CodedValue code = pick(List.of(new CodedValue("13169-8", "IEP", "LN"), new CodedValue("IEPS", "", "L"),
                new CodedValue("FLOW", "Flow", "L"), new CodedValue("IEPX", "Immunofixation", "L"),
                new CodedValue("CBC", "Blood count", "L"), new CodedValue("13169-8", "IEP", "LN"), CodedValue.EMPTY));
        CodedValue alternate = pick(List.of(CodedValue.EMPTY, CodedValue.EMPTY, new CodedValue("IEPS", "", "L"),
                new CodedValue("Z", "IEP serum", "99X")));
        String collection = pick(List.of("202503011030", "202503011030", "202503010800", "20250301", "", "garbage"));
        Provider ordering = pick(List.of(Provider.NONE, new Provider("111", null, "NPI"), new Provider("111", null, "NPI")));
        Provider interpreter = pick(List.of(Provider.NONE, new Provider("PATH1", null, ""),
                new Provider("PATH9", null, "")));
        List<Observation> observations = some(3, () -> new Observation(pick(List.of("TX", "FT", "NM", "CE", "")),
                new CodedValue("O", "", "L"), pick(List.of("F", "C", "P", "X", "")),
                pick(List.of("", "OURLAB", "LAB2", "REFLAB"))));
        List<Diagnosis> diagnoses = some(1, this::diagnosis);
        OrderedTest test = new OrderedTest(key, pick(List.of("NW", "RE", "")), code, alternate,
                pick(List.of("F", "F", "F", "C", "", "P", "Q")), collection, ordering, interpreter, diagnoses,
                pick(List.of("", "2", "4")), observations);
        OrderContext context = random.nextInt(4) == 0 ? null : new OrderContext(key, patient,
                new Visit(pick(List.of("I", "O", "E", "")), Location.NONE, ""), 1 + random.nextInt(2) == 1 ? List.of(insurance()) : some(3, this::insurance),
                some(2, this::diagnosis), pick(List.of("", "", "1", "2", "3", "4", "X")),
                pick(List.of(Provider.NONE, new Provider("222", null, "NPI"))), "O1");
        MessageHeader header = new MessageHeader("LIS", "LAB", "", "", "ORU", "R01", "M" + random.nextInt(99),
                pick(List.of("P", "P", "T", "D", "")), "2.5.1", "");
        List<PriorLine> history = some(3, () -> new PriorLine(new OrderKey(id("P1", "P3", ""), id("F1", "F3", "")),
                pick(List.of("202503011030", "202503010800", "")), 1 + random.nextInt(2)));
        return new DecisionInput(test, context, header, patient, (patientKey, cpt, dos) -> history);
    }

    private Diagnosis diagnosis() {
        return new Diagnosis(pick(List.of("D47.2", "D47.2", "c90.01", "D83.9", "R77.1", "Z00.00", "Z01.812", "273.1", "", "!!", "D8")),
                "", pick(List.of("I10", "I10", "I10C", "ICD10CM", "I9", "")), pick(List.of("F", "W", "")));
    }

    private Insurance insurance() {
        return new Insurance(1 + random.nextInt(3), pick(java.util.Arrays.asList(null, 1, 2, 3)),
                pick(List.of("00430", "87726", "55555", "")), pick(List.of("00430", "", "PLAN9")),
                pick(List.of("", "ACME", "acme ", "MEDICARE")), "", "");
    }
}
