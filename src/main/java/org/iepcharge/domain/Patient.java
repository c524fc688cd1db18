package org.iepcharge.domain;

/**
 * The patient as the DFT needs it. {@code id} + {@code authority} come from the PID-3 repetition with identifier
 * type MR, else the first (docs/decision-contract.md §1). PHI: never logged; the ledger keys on {@link #key()}.
 */
public record Patient(String id, String authority, String idType, PersonName name, String birthDate, String sex) {
    public static final Patient NONE = new Patient("", "", "", PersonName.EMPTY, "", "");

    public Patient {
        id = Text.orEmpty(id);
        authority = Text.orEmpty(authority);
        idType = Text.orEmpty(idType);
        name = name == null ? PersonName.EMPTY : name;
        birthDate = Text.orEmpty(birthDate);
        sex = Text.orEmpty(sex);
    }

    public String key() {
        return id + "^" + authority;
    }
}
