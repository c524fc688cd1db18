package org.iepcharge.domain;

/**
 * What the decision needs from one OBX: value type (OBX-2), code (OBX-3), result status (OBX-11) and the performing
 * laboratory's identifier (OBX-23 XON-10, else OBX-15.1; empty when none is sent). Values are not kept.
 */
public record Observation(String valueType, CodedValue code, String status, String performingLabId) {
    public Observation {
        valueType = Text.orEmpty(valueType);
        code = code == null ? CodedValue.EMPTY : code;
        status = Text.orEmpty(status);
        performingLabId = Text.orEmpty(performingLabId);
    }
}
