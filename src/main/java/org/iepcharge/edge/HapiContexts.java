package org.iepcharge.edge;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;

/**
 * The one way this engine configures HAPI. Canonical v2.5.1 structures parse v2.2–v2.8 with one set of classes; no
 * default validation (it rejected 46 of 157 public corpus files for fields we never read); an in-memory ID generator
 * (HAPI's default writes {@code id_file} into the working directory).
 */
public final class HapiContexts {
    private HapiContexts() {
    }

    public static HapiContext canonical() {
        HapiContext context = new DefaultHapiContext(new CanonicalModelClassFactory("2.5.1"));
        context.setValidationContext(ValidationContextFactory.noValidation());
        context.getParserConfiguration().setIdGenerator(new InMemoryIDGenerator());
        return context;
    }
}
