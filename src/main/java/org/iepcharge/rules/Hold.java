package org.iepcharge.rules;

import org.iepcharge.domain.HoldReason;
import java.util.Objects;

/** A line held for an analyst: the reason code and a readable text saying what was seen. Never contains PHI. */
public record Hold(HoldReason reason, String text) {
    public Hold {
        Objects.requireNonNull(reason, "a hold always has a reason");
        text = text == null || text.isBlank() ? reason.label() : text;
    }

    public static Hold of(HoldReason reason, String detail) {
        return new Hold(reason, reason.label() + ": " + detail);
    }
}
