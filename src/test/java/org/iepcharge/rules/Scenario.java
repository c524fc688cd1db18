package org.iepcharge.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.iepcharge.domain.CodedValue;
import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.Insurance;
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

/**
 * A synthetic charge event (no real patient data) and the rules it runs under. The base case is the plain one of
 * docs/decision-contract.md §5: our lab performed 13169-8, the order gives D47.2 (I10), no ABN, an outpatient, an
 * ordering provider, a collection time, OBR-25 F, production traffic, nothing posted before.
 */
final class Scenario {
    /** IN1-3 / IN1-4 of each payer profile, as the shipped payer map knows them. */
    static final Map<String, Insurance> INSURANCE = Map.of(
            "MEDICARE", insurance("00430", ""),
            "UHC", insurance("87726", ""),
            "CIGNA", insurance("62308", ""),
            "AETNA", insurance("60054", ""),
            "BCBS", insurance("BC-NC-01", "Blue Cross  Blue Shield"),
            "OTHER", insurance("99999", "SOME HEALTH PLAN"));
    static final Provider ORDERING = new Provider("1234567893", new PersonName("DOC", "A", ""), "NPI");
    static final Provider PATHOLOGIST = new Provider("PATH1", new PersonName("PATH", "B", ""), "LIS");
    static final OrderKey ORDER = new OrderKey(new EntityId("P100", "EHR"), new EntityId("F100", "LIS"));
    static final String COLLECTED = "202503011030";

    // the rules
    String rulesText;
    LabType labType = LabType.INDEPENDENT;
    final List<String[]> ruleEdits = new ArrayList<>();
    // the order context
    boolean hasContext = true;
    String payer = "MEDICARE";
    boolean hasInsurance = true;
    List<Diagnosis> orderDiagnoses = new ArrayList<>(List.of(new Diagnosis("D47.2", "MGUS", "I10", "F")));
    String abn = "";
    String patientClass = "O";
    Provider orderingProvider = ORDERING;
    // the test
    CodedValue code = new CodedValue("13169-8", "Immunoelectrophoresis serum", "LN");
    String resultStatus = "F";
    String collectionTime = COLLECTED;
    Provider testOrderingProvider = ORDERING;
    Provider interpreter = Provider.NONE;
    final List<Observation> observations = new ArrayList<>(
            List.of(new Observation("CE", new CodedValue("X", "", "L"), "F", "OURLAB")));
    // the message and the ledger
    String processingId = "P";
    final List<PriorLine> posted = new ArrayList<>();

    static Insurance insurance(String companyId, String name) {
        return new Insurance(1, 1, companyId, "", name, "", "");
    }

    /** Replaces one exact piece of the shipped rules text (it must be there). */
    Scenario edit(String from, String to) {
        ruleEdits.add(new String[] {from, to});
        return this;
    }

    Scenario referred() {
        observations.clear();
        observations.add(new Observation("CE", new CodedValue("X", "", "L"), "F", "REFLAB"));
        return this;
    }

    Scenario interpretedByOurPathologist() {
        interpreter = PATHOLOGIST;
        observations.add(new Observation("TX", new CodedValue("Y", "", "L"), "F", ""));
        return this;
    }

    Scenario diagnoses(Diagnosis... dx) {
        orderDiagnoses.clear();
        orderDiagnoses.addAll(List.of(dx));
        return this;
    }

    Scenario postedBefore(String placer, String collection, int units) {
        posted.add(new PriorLine(new OrderKey(new EntityId(placer, "EHR"), EntityId.NONE), collection, units));
        return this;
    }

    static String shippedRulesText() {
        try (InputStream in = Scenario.class.getResourceAsStream("/rules/default-rules.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shipped rules with this site: our lab ID OURLAB, pathologist PATH1 billed, plus the edits. */
    RuleSet rules() {
        if (rulesText != null) {
            return RuleSet.parse("lab-b-rules.yaml", rulesText);
        }
        String text = shippedRulesText();
        List<String[]> edits = new ArrayList<>();
        edits.add(new String[] {"    type: INDEPENDENT\n", "    type: " + labType + "\n"});
        edits.add(new String[] {"    ids: []\n", "    ids: [OURLAB]\n"});
        edits.add(new String[] {"  professionalBilling: false\n", "  professionalBilling: true\n"});
        edits.add(new String[] {"  pathologists: []\n", "  pathologists: [PATH1]\n"});
        edits.addAll(ruleEdits);
        for (String[] edit : edits) {
            if (!text.contains(edit[0])) {
                throw new IllegalArgumentException("not in the shipped rules: " + edit[0]);
            }
            text = text.replace(edit[0], edit[1]);
        }
        return PARSED.computeIfAbsent(text, t -> RuleSet.parse("test-rules.yaml", t));
    }

    private static final java.util.Map<String, RuleSet> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    DecisionInput input() {
        Patient patient = new Patient("MRN1", "HOSP", "MR", new PersonName("TEST", "PATIENT", ""), "19500101", "F");
        OrderContext context = hasContext
                ? new OrderContext(ORDER, patient, new Visit(patientClass, Location.NONE, "V1"),
                hasInsurance ? List.of(INSURANCE.get(payer)) : List.of(), orderDiagnoses, abn, orderingProvider,
                "O17")
                : null;
        OrderedTest test = new OrderedTest(ORDER, "RE", code, CodedValue.EMPTY, resultStatus, collectionTime,
                testOrderingProvider, interpreter, List.of(), "", observations);
        MessageHeader header = new MessageHeader("LIS", "LAB", "IEP", "BILL", "ORU", "R01", "R100", processingId,
                "2.5.1", "20250302");
        List<PriorLine> history = List.copyOf(posted);
        return new DecisionInput(test, context, header, patient, (patientKey, cpt, dos) -> {
            if (!patientKey.equals("MRN1^HOSP") || !cpt.equals("86320") || !dos.equals("20250301")) {
                return List.of();
            }
            return history;
        });
    }

    Decision decide() {
        return new ChargeDecider(rules()).decide(input());
    }
}
