package org.iepcharge.hl7;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.parser.ModelClassFactory;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;

/**
 * The one way this engine configures HAPI, for the LIS edge, the ACKs, the DFT and billing's answers alike:
 * <ul>
 *   <li>canonical v2.5.1 structures: one set of classes parses v2.2–v2.8 (only hapi-structures-v251 is on the
 *       classpath; any other version would come back as a GenericMessage), their classes looked up once
 *       ({@link CachingModelClassFactory});</li>
 *   <li>no validation: HAPI's default rules rejected 46 of 157 public corpus files for fields we never read, and
 *       would reject a v2.5 DFT built on v2.5.1 structures; the fields we need are checked explicitly;</li>
 *   <li>no ID generation: HAPI's default generator writes {@code id_file} into the working directory, and every
 *       control ID we send is fixed beforehand (the DFT's in the ledger, the ACK's by {@link AckBuilder}), so a call
 *       that would generate one is a bug and fails loudly;</li>
 *   <li>HAPI's escaping, minus its copy and global lock for values with nothing to escape
 *       ({@link PlainTextEscaping}).</li>
 * </ul>
 */
public final class HapiContexts {
    private HapiContexts() {
    }

    public static HapiContext create() {
        return create(new CachingModelClassFactory("2.5.1"));
    }

    /** {@link #create()} on another class factory: the tests compare with HAPI's own, uncached one. */
    static HapiContext create(ModelClassFactory classes) {
        HapiContext context = new DefaultHapiContext(classes);
        context.setValidationContext(ValidationContextFactory.noValidation());
        context.getParserConfiguration().setValidating(false);
        context.getParserConfiguration().setIdGenerator(HapiContexts::refuseToGenerateId);
        context.getParserConfiguration().setEscaping(new PlainTextEscaping());
        return context;
    }

    /**
     * The parser for every parse and encode: HAPI's PipeParser on a new context of {@link #create()}, reading the
     * message structure from MSH alone, safe to share between threads ({@link MshStructurePipeParser}).
     */
    public static PipeParser parser() {
        return new MshStructurePipeParser(create());
    }

    /**
     * {@link #parser()} for the two edges, the LIS's messages and billing's answers: each thread parses every message
     * into its message of the same class from the message before (segment objects and the first repetition of each
     * field kept, emptied; {@link ReusedMessages}). A message it returns is valid only until the next parse on the
     * same thread — read it into records and keep nothing of it.
     */
    public static PipeParser edgeParser() {
        return MshStructurePipeParser.reusing(create());
    }

    private static String refuseToGenerateId() {
        throw new IllegalStateException("HAPI was asked to generate a control ID; every MSH-10 this engine sends is"
                + " fixed before the message is built");
    }
}
