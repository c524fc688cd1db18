package org.iepcharge.domain;

import java.util.Locale;

/**
 * A diagnosis from DG1-3 or OBR-31, with its DG1-6 type (empty for OBR-31). {@link #normalisedCode()} is the
 * comparison form of docs/decision-contract.md §1: upper case, dot removed.
 */
public record Diagnosis(String code, String text, String system, String type) {
    public Diagnosis {
        code = Text.orEmpty(code);
        text = Text.orEmpty(text);
        system = Text.orEmpty(system);
        type = Text.orEmpty(type);
    }

    public String normalisedCode() {
        return code.toUpperCase(Locale.ROOT).replace(".", "");
    }
}
