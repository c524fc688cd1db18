package org.iepcharge.billing;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;

/**
 * The HAPI contexts the billing package uses. Two rules hold for both:
 * <ul>
 *   <li>no validation: the DFT's content is decided by docs/decision-contract.md §8, not by HAPI's default rules (which
 * would,
 *       for example, reject a v2.5 DFT built on v2.5.1 structures);</li>
 *   <li>no ID generation: HAPI's default generator writes a file named {@code id_file} in the working directory. Our
 *       MSH-10 is fixed in the ledger before the DFT is built (docs/decision-contract.md §8), so any call that would
 * generate
 *       an ID is a bug and fails loudly instead.</li>
 * </ul>
 */
final class HapiContexts {
    private HapiContexts() {
    }

    /** For building: the model classes are chosen by the caller (v2.5.1 structures). */
    static HapiContext forWriting() {
        HapiContext context = new DefaultHapiContext(ValidationContextFactory.noValidation());
        context.getParserConfiguration().setValidating(false);
        context.getParserConfiguration().setIdGenerator(HapiContexts::refuseToGenerateId);
        return context;
    }

    /** For reading a DFT back: any 2.x version parses into the v2.5.1 structures we write with. */
    static HapiContext forReading() {
        HapiContext context = forWriting();
        context.setModelClassFactory(new CanonicalModelClassFactory("2.5.1"));
        return context;
    }

    private static String refuseToGenerateId() {
        throw new IllegalStateException("HAPI was asked to generate a control ID; MSH-10 must come from the "
                + "ChargeDocument (docs/decision-contract.md §8)");
    }
}
