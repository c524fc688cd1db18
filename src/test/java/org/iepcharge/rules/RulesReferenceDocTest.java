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
        Path dir = Path.of(System.getProperty("iep.project.dir", "."));
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
}
