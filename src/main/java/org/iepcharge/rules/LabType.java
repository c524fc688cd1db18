package org.iepcharge.rules;

/** {@code site.lab.type}: who we are decides who may bill a referred test [2.1, 2.2]. */
public enum LabType {
    /** Independent clinical laboratory, POS 81; the only lab type Medicare lets bill a referred test with 90 [2.1]. */
    INDEPENDENT,
    /** Hospital laboratory: tests obtained under arrangements go on the hospital's own claim [2.2]. */
    HOSPITAL,
    /** Physician office laboratory, POS 11: may not bill Medicare for a referred test [2.2]. */
    PHYSICIAN_OFFICE;

    /** Hospitals use the MUE facility table, the others the practitioner table [1.3]. */
    public boolean usesFacilityMue() {
        return this == HOSPITAL;
    }
}
