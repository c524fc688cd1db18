package org.iepcharge.domain;

/**
 * Why a line is held for an analyst (docs/decision-contract.md §6). The label is the readable reason shown in lists.
 * Labels name no payer: the medical-necessity and inpatient rules apply to whichever payer profile turns them on, and
 * the hold's text names that profile.
 */
public enum HoldReason {
    UNMAPPED_IEP_LIKE_TEST("unmapped IEP-like test"),
    PAYER_UNKNOWN("payer unknown"),
    NO_COLLECTION_DATE("no collection date"),
    NO_ORDERING_PROVIDER("no ordering provider"),
    NO_DIAGNOSIS("no diagnosis"),
    DIAGNOSIS_NOT_ICD10CM("diagnosis not ICD-10-CM"),
    NOT_SUPPORTED_WITHOUT_ABN("not supported without ABN"),
    REFERRED_NOT_BILLABLE("referred test not billable by this lab type for this payer"),
    INPATIENT_AT_INDEPENDENT_LAB("inpatient specimen at an independent lab"),
    SAME_DAY_REPEAT_OR_DUPLICATE("same-day repeat or duplicate order"),
    MUE_EXCEEDED("MUE exceeded"),
    /** Decided by the event handling (§7), never by the charge decision. */
    CANCEL_AFTER_RESULT("cancel after result"),
    UNKNOWN_RESULT_STATUS("unknown result status"),
    /** Only with {@code site.unknownPerformingLab: HOLD} (§2). */
    UNKNOWN_PERFORMING_LAB("performing laboratory unknown");

    private final String label;

    HoldReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
