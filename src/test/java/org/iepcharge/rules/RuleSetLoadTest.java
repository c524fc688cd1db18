package org.iepcharge.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import org.iepcharge.domain.CodedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleSetLoadTest {

    private static RulesException refusal(String yaml) {
        try {
            RuleSet.parse("rules.yaml", yaml);
        } catch (RulesException e) {
            return e;
        }
        throw new AssertionError("the rules file was accepted:\n" + yaml);
    }

    @Test
    void shippedFileLoadsWithTheContractDefaults() {
        RuleSet rules = RuleSet.builtIn();

        assertThat(rules.source()).isEqualTo("classpath:rules/default-rules.yaml");
        assertThat(rules.version()).matches("[0-9a-f]{12}");
        assertThat(rules.site().labType()).isEqualTo(LabType.INDEPENDENT);
        assertThat(rules.site().chargeTrigger()).isEqualTo(ChargeTrigger.RESULT);
        assertThat(rules.site().payerWhenUnknown()).isEqualTo("HOLD");
        assertThat(rules.site().sameDayRepeat()).isEqualTo(SameDayRepeat.HOLD);
        assertThat(rules.site().unknownPerformingLab()).isEqualTo(UnknownPerformingLab.OURS);
        assertThat(rules.payerProfiles()).containsOnlyKeys("MEDICARE", "UHC", "BCBS", "CIGNA", "AETNA", "OTHER");
        assertThat(rules.payerProfile("MEDICARE").orElseThrow().supportingDiagnoses().covers("C9001")).isTrue();
        assertThat(rules.chargeMasterEntry(new CodedValue("13169-8", "whatever", "LN"), CodedValue.EMPTY))
                .hasValueSatisfying(e -> {
                    assertThat(e.cpt()).isEqualTo("86320");
                    assertThat(e.pcTcIndicator()).isEqualTo(6);
                    assertThat(e.chargeCode()).isEqualTo("86320");
                    assertThat(e.professionalChargeCode()).isEqualTo("86320");
                    assertThat(e.units()).isEqualTo(1);
                });
    }

    @Test
    void loadFromAFileNamesTheFileAndHashesItsBytes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lab-b.yaml");
        Files.writeString(file, RulesYaml.rules().text(), StandardCharsets.UTF_8);

        RuleSet first = RuleSet.load(file);
        Files.writeString(file, RulesYaml.rules().text() + "# a comment changes the version\n");
        RuleSet second = RuleSet.load(file);

        assertThat(first.source()).isEqualTo("lab-b.yaml");
        assertThat(first.version()).hasSize(12).isNotEqualTo(second.version());
    }

    @Test
    void recognitionIsByCodeAndSystemNeverByName() {
        RuleSet rules = RuleSet.builtIn();

        assertThat(rules.chargeMasterEntry(new CodedValue("IEP", "IEP, Serum", "L"), CodedValue.EMPTY)).isEmpty();
        assertThat(rules.chargeMasterEntry(new CodedValue("13169-8", "", "L"), CodedValue.EMPTY)).isEmpty();
        assertThat(rules.chargeMasterEntry(new CodedValue("X1", "", "99LAB"), new CodedValue("13169-8", "", "LN")))
                .isPresent();
    }

    @Test
    void iepLikeNamesAreRecognisedCaseInsensitivelyOnWordBoundaries() {
        RuleSet rules = RuleSet.builtIn();

        assertThat(rules.looksLikeIep(new CodedValue("X1", "Serum Immunoelectrophoresis", "L"), null)).isTrue();
        assertThat(rules.looksLikeIep(new CodedValue("X1", "iep, serum", "L"), null)).isTrue();
        assertThat(rules.looksLikeIep(CodedValue.EMPTY, new CodedValue("Y", "IFE urine", "L"))).isTrue();
        assertThat(rules.looksLikeIep(new CodedValue("X1", "RECIPE PANEL", "L"), null)).isFalse();
        assertThat(rules.looksLikeIep(new CodedValue("X1", "CBC", "L"), CodedValue.EMPTY)).isFalse();
    }

    @Test
    void aMalformedCptNamesFileLineAndKey() {
        String yaml = RulesYaml.rules().chargeMaster("""
                chargeMaster:
                  - code: "13169-8"
                    system: LN
                    cpt: "86320"
                    description: IEP
                    pcTcIndicator: 6
                  - code: IEPS
                    system: L
                    cpt: "8632"
                    description: IEP
                    pcTcIndicator: 6
                """).text();
        // site block is 4 lines; chargeMaster starts on line 5; the second cpt is on line 13.

        assertThat(refusal(yaml).problems()).containsExactly(
                "rules.yaml:13: chargeMaster[1].cpt: \"8632\" is not a CPT code (5 digits, or 4 digits + F/T/U)");
    }

    @Test
    void everyProblemIsReportedTogetherInLineOrder() {
        String yaml = """
                site:
                  lab:
                    type: INDEPENDANT
                  chargeTriger: ORDER
                chargeMaster:
                  - code: "13169-8"
                    system: LN
                    cpt: "86320"
                    description: IEP
                    pcTcIndicator: 6
                  - code: "13169-8"
                    system: ln
                    cpt: "86334"
                    description: IFE
                    pcTcIndicator: 6
                payers:
                  MEDICARE:
                    medicalNecessityRules: true
                    supportingDiagnoses: [D47.2, C90.0-C90, "2731"]
                    abnModifiers: {"2": GA}
                  OTHER: {}
                """;

        assertThat(refusal(yaml).problems()).containsExactly(
                "rules.yaml:3: site.lab.type: \"INDEPENDANT\" is not one of INDEPENDENT, HOSPITAL, PHYSICIAN_OFFICE",
                "rules.yaml:4: site.chargeTriger: unknown key (allowed here: chargeTrigger, lab, pathologists, "
                        + "payerWhenUnknown, professionalBilling, referredTestAtHospital, sameDayRepeat, "
                        + "unknownPerformingLab)",
                "rules.yaml:11: chargeMaster[1].code: test code 13169-8 (ln) is already mapped by chargeMaster[0] "
                        + "on line 6; a test code must decide exactly one CPT",
                "rules.yaml:19: payers.MEDICARE.supportingDiagnoses[1]: both ends of \"C90.0-C90\" must have the "
                        + "same number of characters (e.g. C90.0-C90.3 or D80-D84)",
                "rules.yaml:19: payers.MEDICARE.supportingDiagnoses[2]: \"2731\" is not an ICD-10-CM code (letter, "
                        + "digit, letter or digit, then up to 4 more after an optional dot)",
                "rules.yaml:20: payers.MEDICARE.abnModifiers: unknown key (allowed here: abnSignedValues, "
                        + "excludedDiagnoses, inpatientAtIndependentLab, medicalNecessityRules, "
                        + "professionalComponent, referralModifier90For, supportingDiagnoses, technicalModifier, "
                        + "technicalModifierCpts, unsupportedWithoutAbn)");
    }

    @Test
    void tcOnAnIndicator6CptIsRefusedNamingThePayerLine() {
        String yaml = RulesYaml.rules().payers("""
                payers:
                  UHC:
                    technicalModifier: TC
                  OTHER: {}
                """).text();
        // site 4 lines, chargeMaster 6 lines (5-10, entry on line 6), payers on 11, technicalModifier on 13.

        assertThat(refusal(yaml).problems()).singleElement().asString()
                .startsWith("rules.yaml:13: payers.UHC.technicalModifier: TC would be written on CPT 86320 "
                        + "(chargeMaster[0], line 6), whose PC/TC indicator 6 forbids TC");
    }

    @Test
    void tcLimitedToAnIndicator1CptIsAccepted() {
        RuleSet rules = RulesYaml.rules().chargeMaster(RulesYaml.CHARGE_MASTER + """
                  - code: "XYZ"
                    system: L
                    cpt: "88182"
                    description: FLOW CYTOMETRY
                    pcTcIndicator: 1
                """).payers("""
                payers:
                  UHC:
                    technicalModifier: TC
                    technicalModifierCpts: ["88182"]
                  OTHER: {}
                """).load();

        assertThat(rules.payerProfile("UHC").orElseThrow().wantsTechnicalModifierFor("88182")).isTrue();
        assertThat(rules.payerProfile("UHC").orElseThrow().wantsTechnicalModifierFor("86320")).isFalse();
    }

    @Test
    void anEmptyTechnicalModifierCptsListIsRefusedNotReadAsEveryCpt() {
        // Written by hand, [] reads as "TC on no CPT"; the key left out means every CPT. The engine refuses the
        // ambiguous empty list and says what to write instead.
        String yaml = RulesYaml.rules().payers("""
                payers:
                  UHC:
                    technicalModifier: TC
                    technicalModifierCpts: []
                  OTHER: {}
                """).text();

        assertThat(refusal(yaml).problems()).anySatisfy(p -> assertThat(p).asString()
                .startsWith("rules.yaml:14: payers.UHC.technicalModifierCpts: is empty: list the CPTs TC applies to,"
                        + " leave the key out for every CPT in the charge master, or set technicalModifier: NONE"));
    }

    @Test
    void twoOfGaGyGzReachableIsRefused() {
        String yaml = RulesYaml.rules().extra("""
                extraModifiers:
                  "86320": [GY]
                """).text();

        assertThat(refusal(yaml).problems()).singleElement().asString()
                .contains("extraModifiers.86320: with payer profile MEDICARE a line could carry two of GA/GY/GZ");
    }

    @Test
    void moreThanFourModifiersReachableIsRefused() {
        String yaml = RulesYaml.rules().site("""
                site:
                  lab:
                    type: INDEPENDENT
                  sameDayRepeat: MODIFIER_91
                """).extra("""
                extraModifiers:
                  "86320": [XE, XU]
                """).text();

        // MEDICARE: 90 + 91 + XE + XU + GA = 5; OTHER: 90 + 91 + XE + XU = 4 (allowed).
        assertThat(refusal(yaml).problems()).singleElement().asString()
                .contains("extraModifiers.86320: with payer profile MEDICARE and lab type INDEPENDENT a technical "
                        + "line could carry 5 modifiers; at most 4");
    }

    @Test
    void modifiersThatComeFromRulesCannotBeAddedByHand() {
        String yaml = RulesYaml.rules().extra("""
                extraModifiers:
                  "86320": [TC, X9]
                """).text();

        // site 4 + chargeMaster 6 + payers 9 lines: extraModifiers is line 20, the CPT's list line 21.
        assertThat(refusal(yaml).problems()).satisfiesExactly(
                p -> assertThat(p).startsWith("rules.yaml:21: extraModifiers.86320[0]: TC comes from its own rule"),
                p -> assertThat(p).startsWith("rules.yaml:21: extraModifiers.86320[1]: \"X9\" is not a modifier"));
    }

    @Test
    void yamlSyntaxErrorsNameTheLine() {
        assertThat(refusal("site:\n  lab: [unclosed\nchargeMaster: []\n").problems()).singleElement().asString()
                .matches(Pattern.compile("rules\\.yaml:3: not valid YAML: .*", Pattern.DOTALL));
    }

    @Test
    void duplicateKeysAreRefused() {
        String yaml = RulesYaml.rules().site("""
                site:
                  sameDayRepeat: HOLD
                  sameDayRepeat: MODIFIER_91
                """).text();

        assertThat(refusal(yaml).problems())
                .containsExactly("rules.yaml:3: site.sameDayRepeat: duplicate key (the first one is on line 2)");
    }

    @Test
    void payerReferencesMustExist() {
        String yaml = RulesYaml.rules().site("""
                site:
                  payerWhenUnknown: OTHERS
                """).payers("""
                payerMap:
                  - id: "00430"
                    profile: MEDICARE
                payers:
                  MEDICARE:
                    inpatientAtIndependentLab: CLIENT
                """).text();

        assertThat(refusal(yaml).problems()).containsExactly(
                "rules.yaml:2: site.payerWhenUnknown: \"OTHERS\" is neither HOLD nor a profile under payers (MEDICARE)",
                "rules.yaml:12: payers: must hold an OTHER profile: it applies to any payer identifier the payer "
                        + "map does not know (docs/decision-contract.md §5)",
                "rules.yaml:14: payers.MEDICARE.inpatientAtIndependentLab: \"CLIENT\" is neither CHARGE, HOLD nor a "
                        + "profile under payers");
    }
}
