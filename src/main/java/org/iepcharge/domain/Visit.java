package org.iepcharge.domain;

/** PV1 as the decision and the DFT need it: patient class (PV1-2), location (PV1-3), visit number (PV1-19). */
public record Visit(String patientClass, Location location, String visitNumber) {
    public static final Visit NONE = new Visit("", Location.NONE, "");

    public Visit {
        patientClass = Text.orEmpty(patientClass);
        location = location == null ? Location.NONE : location;
        visitNumber = Text.orEmpty(visitNumber);
    }
}
