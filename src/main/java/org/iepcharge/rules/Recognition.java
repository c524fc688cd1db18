package org.iepcharge.rules;

import java.util.List;
import java.util.regex.Pattern;

import org.iepcharge.domain.CodedValue;

/**
 * The {@code recognition:} block: how tests and their evidence are recognised (docs/decision-contract.md §1, §3).
 *
 * @param iepNamePatterns        names that look like IEP; they never decide a CPT [1.1], they only stop an unmapped
 *                               code from being ignored silently
 * @param interpretationCodes    OBX-3 codes that count as interpretation evidence besides TX / FT values
 * @param diagnosisCodingSystems coding systems that mean ICD-10-CM (HL7 sends it as I10, I10C or ICD10CM [4.2])
 */
public record Recognition(List<Pattern> iepNamePatterns, List<CodedValue> interpretationCodes,
                          List<String> diagnosisCodingSystems) {
    public Recognition {
        iepNamePatterns = List.copyOf(iepNamePatterns);
        interpretationCodes = List.copyOf(interpretationCodes);
        diagnosisCodingSystems = List.copyOf(diagnosisCodingSystems);
    }

    public boolean isIcd10CmSystem(String system) {
        return diagnosisCodingSystems.stream().anyMatch(s -> s.equalsIgnoreCase(system));
    }

    public boolean isInterpretationCode(CodedValue code) {
        return interpretationCodes.stream()
                .anyMatch(c -> c.code().equals(code.code()) && c.system().equalsIgnoreCase(code.system()));
    }
}
