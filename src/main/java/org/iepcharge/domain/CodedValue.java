package org.iepcharge.domain;

/** A CE/CWE value: identifier, text and coding system (empty strings, never null). */
public record CodedValue(String code, String text, String system) {
    public static final CodedValue EMPTY = new CodedValue("", "", "");

    public CodedValue {
        code = Text.orEmpty(code);
        text = Text.orEmpty(text);
        system = Text.orEmpty(system);
    }

    public boolean isEmpty() {
        return code.isEmpty();
    }
}
