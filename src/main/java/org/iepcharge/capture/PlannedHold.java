package org.iepcharge.capture;

import org.iepcharge.domain.LineKind;

/** A line the rules could not decide: held for an analyst with a reason code and readable text (§6). */
public record PlannedHold(LineKind kind, String cpt, String reasonCode, String reasonText) {
}
