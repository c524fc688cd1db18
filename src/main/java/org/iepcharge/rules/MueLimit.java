package org.iepcharge.rules;

import java.util.OptionalInt;

/**
 * The MUE configured for one CPT: units per patient and date of service, practitioner and facility tables [1.3].
 * No default value exists for 86320: none is confirmed [1.3], so a site enters the current CMS value.
 */
public record MueLimit(Integer practitioner, Integer facility) {
    public OptionalInt limitFor(LabType labType) {
        Integer limit = labType.usesFacilityMue() ? facility : practitioner;
        return limit == null ? OptionalInt.empty() : OptionalInt.of(limit);
    }
}
