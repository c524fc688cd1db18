package org.iepcharge.domain;

/** A person's name (XPN / XCN name components). PHI: never logged. */
public record PersonName(String family, String given, String middle) {
    public static final PersonName EMPTY = new PersonName("", "", "");

    public PersonName {
        family = Text.orEmpty(family);
        given = Text.orEmpty(given);
        middle = Text.orEmpty(middle);
    }
}
