package org.iepcharge.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** docs/rules-reference.md must stay usable on its own: its example loads, and it names every key. */
class RulesReferenceDocTest {
    private static String doc() throws Exception {
        Path dir = Path.of(System.getProperty("iep.test.projectDir", "."));
        return Files.readString(dir.resolve("docs/rules-reference.md"));
    }

    @Test
    void theMinimalExampleLoads() throws Exception {
        Matcher yaml = Pattern.compile("## A minimal file for another lab\\s+```yaml\\n(.*?)```", Pattern.DOTALL)
                .matcher(doc());
        assertThat(yaml.find()).isTrue();

        RuleSet rules = RuleSet.parse("example.yaml", yaml.group(1));

        assertThat(rules.site().labType()).isEqualTo(LabType.HOSPITAL);
        assertThat(rules.chargeMaster()).singleElement()
                .satisfies(e -> assertThat(e.chargeCode()).isEqualTo("300123"));
    }

    @Test
    void everyKeyIsDocumented() throws Exception {
        String doc = doc();
        for (String key : new String[] {"formatVersion", "site", "recognition", "chargeMaster", "mue",
                "extraModifiers", "payerMap", "payers", "lab.type", "lab.ids", "unknownPerformingLab",
                "referredTestAtHospital", "professionalBilling", "pathologists", "chargeTrigger", "payerWhenUnknown",
                "sameDayRepeat", "iepNamePatterns", "interpretationCodes", "diagnosisCodingSystems", "code", "system",
                "cpt", "description", "pcTcIndicator", "chargeCode", "professionalChargeCode", "units",
                "practitioner", "facility", "id", "name", "profile", "referralModifier90For", "technicalModifier",
                "technicalModifierCpts", "professionalComponent", "medicalNecessityRules", "supportingDiagnoses",
                "excludedDiagnoses", "abnSignedValues", "unsupportedWithoutAbn", "inpatientAtIndependentLab"}) {
            assertThat(doc).as(key).contains("`" + key + "`");
        }
    }

    /**
     * The medicalNecessityRules row names the keys that are errors without it; they must be exactly the keys the
     * parser refuses without it (the page once said "the next four keys" where five followed).
     */
    @Test
    void theKeysSaidToNeedMedicalNecessityRulesAreExactlyTheOnesRefusedWithoutIt() throws Exception {
        Matcher row = Pattern.compile("\\| `medicalNecessityRules` \\|[^\\n]*?\\. ([^.]*?) are errors unless this is"
                + " true").matcher(doc());
        assertThat(row.find()).as("the medicalNecessityRules row says which keys are errors without it").isTrue();
        java.util.Set<String> documented = new java.util.TreeSet<>();
        Matcher key = Pattern.compile("`(\\w+)`").matcher(row.group(1));
        while (key.find()) {
            documented.add(key.group(1));
        }

        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        values.put("referralModifier90For", "[INDEPENDENT]");
        values.put("professionalComponent", "OMIT");
        values.put("supportingDiagnoses", "[D47.2]");
        values.put("excludedDiagnoses", "[Z00.00]");
        values.put("abnSignedValues", "[\"2\"]");
        values.put("unsupportedWithoutAbn", "GZ");
        values.put("inpatientAtIndependentLab", "HOLD");
        java.util.Set<String> refused = new java.util.TreeSet<>();
        values.forEach((name, value) -> {
            String yaml = RulesYaml.rules().payers("payers:\n  OTHER:\n    " + name + ": " + value + "\n").text();
            try {
                RuleSet.parse("rules.yaml", yaml);
            } catch (RulesException e) {
                if (e.problems().stream().anyMatch(p -> p.toString()
                        .contains(name + ": has no effect unless medicalNecessityRules is true"))) {
                    refused.add(name);
                }
            }
        });

        assertThat(documented).as("keys docs/rules-reference.md says need medicalNecessityRules")
                .isEqualTo(refused);
    }
}
