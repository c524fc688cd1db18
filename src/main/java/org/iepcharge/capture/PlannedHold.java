package org.iepcharge.capture;

import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.HoldReason;

/** A line the rules could not decide: held for an analyst with a reason and readable text (§6). */
public record PlannedHold(LineKind kind, String cpt, HoldReason reason, String reasonText) {
}
