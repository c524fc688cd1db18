package org.iepcharge.rules;

import java.util.List;

/**
 * One charge-master entry: a test code (code + coding system) and what it bills (docs/decision-contract.md §3).
 *
 * @param pcTcIndicator          CMS PFS PC/TC indicator; 6 for 86320, which forbids TC [1.2]
 * @param chargeCode             the billing system's charge code (FT1-7); defaults to the CPT
 * @param professionalChargeCode FT1-7 of the 26 line; defaults to {@code chargeCode}
 * @param units                  FT1-10, default 1
 */
public record ChargeMasterEntry(String code, String system, String cpt, String description, int pcTcIndicator,
                                String chargeCode, String professionalChargeCode, int units) {

    /** PC/TC indicator 1 is the only CMS value with a billable technical component split [1.2]. */
    public boolean allowsTechnicalModifier() {
        return pcTcIndicator == 1;
    }

    boolean matches(String code, String system) {
        return this.code.equals(code) && this.system.equalsIgnoreCase(system);
    }
}
