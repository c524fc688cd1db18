package org.iepcharge.rules;

import org.iepcharge.domain.HoldReason;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.iepcharge.domain.CodedValue;
import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.Provider;
import org.junit.jupiter.api.Test;

/** Another lab's rules file changes outcomes without a code change. */
class CustomRulesTest {
    private static final String LAB_B_SITE = """
            site:
              lab:
                type: INDEPENDENT
                ids: [LABB]
              professionalBilling: true
              pathologists: [PATH1]
            """;
    private static final String LAB_B_CHARGE_MASTER = """
            chargeMaster:
              - code: IMMEL
                system: 99LABB
                cpt: "86320"
                description: IEP SERUM (LAB B)
                pcTcIndicator: 6
                chargeCode: "300123"
                professionalChargeCode: "300124"
              - code: FLOW
                system: 99LABB
                cpt: "88184"
                description: FLOW CYTOMETRY FIRST MARKER
                pcTcIndicator: 1
            """;
    private static final String LAB_B_PAYERS = """
            payerMap:
              - id: "00430"
                profile: MEDICARE
              - id: "87726"
                profile: UHC
            payers:
              MEDICARE:
                medicalNecessityRules: true
                supportingDiagnoses: [R77.1]
                unsupportedWithoutAbn: GZ
              UHC:
                technicalModifier: TC
                technicalModifierCpts: ["88184"]
              OTHER: {}
            """;

    private static Scenario labB() {
        Scenario s = new Scenario();
        s.rulesText = LAB_B_SITE + LAB_B_CHARGE_MASTER + LAB_B_PAYERS;
        s.code = new CodedValue("IMMEL", "Immunoelectrophoresis", "99LABB");
        s.observations.clear();
        return s;
    }

    @Test
    void anotherLabsLocalCodeIsChargedWithItsChargeCodes() {
        Scenario s = labB().interpretedByOurPathologist();
        s.diagnoses(new Diagnosis("R77.1", "", "I10", "F"));

        Decision decision = s.decide();

        assertThat(decision.lines()).extracting(l -> l.line().kind(), l -> l.line().chargeCode(),
                        l -> l.line().modifiers(), DecidedLine::isHeld)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(LineKind.T, "300123", List.of(), false),
                        org.assertj.core.groups.Tuple.tuple(LineKind.P, "300124", List.of("26"), false));
    }

    @Test
    void theSameCodeUnderTheShippedRulesIsOnlyHeldAsIepLike() {
        Scenario s = new Scenario();
        s.code = new CodedValue("IMMEL", "Immunoelectrophoresis", "99LABB");

        Decision decision = s.decide();

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.UNMAPPED_IEP_LIKE_TEST);
        assertThat(decision.lines()).singleElement()
                .satisfies(l -> assertThat(l.hold().reason()).isEqualTo(HoldReason.UNMAPPED_IEP_LIKE_TEST));
    }

    @Test
    void aDifferentSupportingListDecidesSupportAndThePayerWantsGzInsteadOfReview() {
        Scenario supported = labB();
        supported.diagnoses(new Diagnosis("R77.1", "", "I10", "F"));
        Scenario unsupported = labB();
        unsupported.diagnoses(new Diagnosis("D47.2", "", "I10", "F"));

        assertThat(supported.decide().lines()).singleElement()
                .satisfies(l -> assertThat(l.line().modifiers()).isEmpty())
                .satisfies(l -> assertThat(l.isHeld()).isFalse());
        // Under the shipped rules D47.2 is supported and R77.1 held for review; here it is the other way round, and
        // this payer takes GZ instead of review.
        assertThat(unsupported.decide().lines()).singleElement()
                .satisfies(l -> assertThat(l.line().modifiers()).containsExactly("GZ"))
                .satisfies(l -> assertThat(l.isHeld()).isFalse());
    }

    @Test
    void tcIsWrittenForAnIndicator1CptWhenAnotherPartyBillsTheInterpretation() {
        Scenario s = labB();
        s.payer = "UHC";
        s.code = new CodedValue("FLOW", "Flow cytometry", "99LABB");
        s.interpretedByOurPathologist();
        s.interpreter = new Provider("OUTSIDE7", null, "LIS"); // not on our roster: someone else bills the 26

        Decision decision = s.decide();

        assertThat(decision.lines()).singleElement().satisfies(l -> {
            assertThat(l.line().cpt()).isEqualTo("88184");
            assertThat(l.line().modifiers()).containsExactly("TC");
            assertThat(l.isHeld()).isFalse();
        });
    }

    @Test
    void noTcWhenWeBillTheInterpretationOurselves() {
        Scenario s = labB();
        s.payer = "UHC";
        s.code = new CodedValue("FLOW", "Flow cytometry", "99LABB");
        s.interpretedByOurPathologist();

        assertThat(s.decide().lines()).extracting(l -> l.line().modifiers())
                .containsExactly(List.of(), List.of("26"));
    }

    @Test
    void neverTcOn86320EvenForTheTcPayer() {
        Scenario s = labB();
        s.payer = "UHC";
        s.interpretedByOurPathologist();
        s.interpreter = new Provider("OUTSIDE7", null, "LIS");

        assertThat(s.decide().lines()).singleElement()
                .satisfies(l -> assertThat(l.line().modifiers()).isEmpty());
    }

    @Test
    void recognitionSettingsAreTheFilesOwn() {
        Scenario s = labB();
        s.rulesText = LAB_B_SITE + """
                recognition:
                  iepNamePatterns: ['electroforesis']
                """ + LAB_B_CHARGE_MASTER + LAB_B_PAYERS;
        s.code = new CodedValue("X9", "Inmunoelectroforesis", "99LABB");
        Scenario english = labB();
        english.rulesText = s.rulesText;
        english.code = new CodedValue("X9", "Immunofixation", "99LABB");

        assertThat(s.decide().outcome()).isEqualTo(Decision.Outcome.UNMAPPED_IEP_LIKE_TEST);
        assertThat(english.decide().outcome()).isEqualTo(Decision.Outcome.NOT_A_CHARGE_MASTER_TEST);
    }

    /**
     * Profile names carry no built-in meaning: a profile called STATE_PLAN that turns on the medical-necessity and
     * inpatient rules gets the same holds as MEDICARE would, and the hold texts name STATE_PLAN — never "Medicare".
     */
    @Test
    void holdsOfTheMedicalNecessityAndInpatientRulesNameTheProfileThatTurnedThemOn() {
        String payers = """
                payerMap:
                  - id: "87726"
                    profile: STATE_PLAN
                payers:
                  STATE_PLAN:
                    medicalNecessityRules: true
                    supportingDiagnoses: [D47.2]
                    inpatientAtIndependentLab: HOLD
                  OTHER: {}
                """;
        Scenario noDiagnosis = labB();
        noDiagnosis.rulesText = LAB_B_SITE + LAB_B_CHARGE_MASTER + payers;
        noDiagnosis.payer = "UHC"; // insurance 87726, mapped to STATE_PLAN here
        noDiagnosis.orderDiagnoses.clear();
        Scenario icd9 = labB();
        icd9.rulesText = noDiagnosis.rulesText;
        icd9.payer = "UHC";
        icd9.diagnoses(new Diagnosis("273.1", "", "I9", "F"));
        Scenario unsupported = labB();
        unsupported.rulesText = noDiagnosis.rulesText;
        unsupported.payer = "UHC";
        unsupported.diagnoses(new Diagnosis("R53.83", "", "I10", "F"));
        Scenario inpatient = labB();
        inpatient.rulesText = noDiagnosis.rulesText;
        inpatient.payer = "UHC";
        inpatient.patientClass = "I";

        for (var c : List.of(List.of(noDiagnosis, HoldReason.NO_DIAGNOSIS),
                List.of(icd9, HoldReason.DIAGNOSIS_NOT_ICD10CM),
                List.of(unsupported, HoldReason.NOT_SUPPORTED_WITHOUT_ABN),
                List.of(inpatient, HoldReason.INPATIENT_AT_INDEPENDENT_LAB))) {
            HoldReason reason = (HoldReason) c.get(1);
            assertThat(((Scenario) c.get(0)).decide().lines()).as(reason.name()).singleElement().satisfies(l -> {
                assertThat(l.hold().reason()).isEqualTo(reason);
                assertThat(l.hold().text()).contains("STATE_PLAN").doesNotContainIgnoringCase("medicare");
            });
        }
    }
}
