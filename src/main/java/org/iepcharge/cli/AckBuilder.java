package org.iepcharge.cli;

import java.io.IOException;
import java.nio.charset.Charset;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ACK;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;

/**
 * Builds HL7 ACKs with HAPI for a receiver: MSA-1 the chosen code, MSA-2 the inbound MSH-10, and for AE/AR an ERR
 * segment with ERR-3 = 207 (application internal error) or a code the caller chooses, and a text.
 */
public final class AckBuilder {
    private final HapiContext hapi;
    private final PipeParser parser;

    public AckBuilder() {
        // v2.5.1 structures read v2.1-v2.5.1 messages; no validation, because a billing peer that refuses on HAPI's
        // strict field rules would answer AR where a real system answers AA.
        hapi = new DefaultHapiContext(new CanonicalModelClassFactory("2.5.1"));
        hapi.setValidationContext(ValidationContextFactory.noValidation());
        // HAPI's default ID generator writes a file "id_file" into the working directory.
        hapi.getParserConfiguration().setIdGenerator(new InMemoryIDGenerator());
        parser = hapi.getPipeParser();
    }

    /**
     * The ACK for one inbound message, encoded in {@code charset}.
     *
     * @param inbound the inbound message (CR-separated segments)
     * @param code    AA, AE or AR (or the commit codes)
     * @param errorText text for MSA-3/ERR when the code is not an accept; ignored for AA/CA
     */
    public byte[] ack(byte[] inbound, AcknowledgmentCode code, String errorText, Charset charset) {
        return ack(inbound, code, ErrorCode.APPLICATION_INTERNAL_ERROR, errorText, charset);
    }

    /**
     * As {@link #ack(byte[], AcknowledgmentCode, String, Charset)}, with the ERR-3 code of an AE/AR chosen by the
     * caller (e.g. 206 record locked, 103 table value not found).
     */
    public byte[] ack(byte[] inbound, AcknowledgmentCode code, ErrorCode errorCode, String errorText,
                      Charset charset) {
        String text = new String(inbound, charset);
        try {
            Message ack = accepted(code)
                    ? parseForAck(text).generateACK(code, null)
                    : parseForAck(text).generateACK(code, new HL7Exception(errorText, errorCode));
            return parser.encode(ack).getBytes(charset);
        } catch (HL7Exception | IOException e) {
            // Not even MSH parses: answer from a fresh ACK so the sender still learns the outcome for its MSH-10.
            return fallbackAck(inbound, code, errorCode, errorText).getBytes(charset);
        }
    }

    private static boolean accepted(AcknowledgmentCode code) {
        return code == AcknowledgmentCode.AA || code == AcknowledgmentCode.CA;
    }

    /** Parses the message, or when its body does not parse, its MSH alone: the ACK needs only the header. */
    private Message parseForAck(String text) throws HL7Exception {
        try {
            return parser.parse(text);
        } catch (HL7Exception e) {
            int end = text.indexOf('\r');
            return parser.parse((end < 0 ? text : text.substring(0, end)) + "\r");
        }
    }

    private String fallbackAck(byte[] inbound, AcknowledgmentCode code, ErrorCode errorCode, String errorText) {
        try {
            ACK ack = new ACK();
            ack.setParser(parser);
            ack.initQuickstart("ACK", "", "P");
            ack.getMSA().getAcknowledgmentCode().setValue(code.name());
            ack.getMSA().getMessageControlID().setValue(Hl7Fields.mshField(inbound, 10));
            if (!accepted(code)) {
                ack.getERR().getHL7ErrorCode().getIdentifier().setValue(
                        String.valueOf(errorCode.getCode()));
                ack.getERR().getSeverity().setValue("E");
                ack.getERR().getUserMessage().setValue(errorText);
            }
            return parser.encode(ack);
        } catch (HL7Exception | IOException e) {
            throw new IllegalStateException("cannot build a fallback ACK", e);
        }
    }
}
