package org.iepcharge.domain;

/** Null-to-empty normalisation shared by the records. */
public final class Text {
    private Text() {
    }

    public static String orEmpty(String s) {
        return s == null ? "" : s.trim();
    }
}
