package org.iepcharge.edge;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.util.Terser;

/** Positional reads from a parsed segment (field, repetition, component, subcomponent are 1-based as in HL7). */
final class Fields {
    private Fields() {
    }

    static String get(Segment segment, int field, int component) {
        return get(segment, field, 0, component, 1);
    }

    static String get(Segment segment, int field, int rep, int component, int subcomponent) {
        try {
            if (field > segment.numFields() || rep >= segment.getField(field).length) {
                return "";
            }
            String value = Terser.get(segment, field, rep, component, subcomponent);
            return value == null ? "" : value.trim();
        } catch (HL7Exception e) {
            return "";
        }
    }

    static int repetitions(Segment segment, int field) {
        try {
            return field > segment.numFields() ? 0 : segment.getField(field).length;
        } catch (HL7Exception e) {
            return 0;
        }
    }
}
