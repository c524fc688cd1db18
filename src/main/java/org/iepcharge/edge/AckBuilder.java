package org.iepcharge.edge;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.message.ACK;
import ca.uhn.hl7v2.model.v251.segment.ERR;
import ca.uhn.hl7v2.model.v251.segment.MSA;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.parser.PipeParser;
import org.iepcharge.domain.Outcome;

/**
 * Builds every ACK the LIS receives, with HAPI (docs/billing-facts.md §5): routing fields swapped, MSH-12 the inbound
 * version, MSA-2 the inbound MSH-10, and on errors MSA-3 plus an ERR segment in the inbound version's layout — ERR-1
 * before v2.5, ERR-2/3/4/7/8 from v2.5 — carrying the table 0357 code.
 */
public final class AckBuilder {

    private static final Map<Integer, String> TABLE_0357 = Map.ofEntries(
            Map.entry(0, "Message accepted"),
            Map.entry(100, "Segment sequence error"),
            Map.entry(101, "Required field missing"),
            Map.entry(102, "Data type error"),
            Map.entry(103, "Table value not found"),
            Map.entry(200, "Unsupported message type"),
            Map.entry(201, "Unsupported event code"),
            Map.entry(202, "Unsupported processing id"),
            Map.entry(203, "Unsupported version id"),
            Map.entry(204, "Unknown key identifier"),
            Map.entry(205, "Duplicate key identifier"),
            Map.entry(206, "Application record locked"),
            Map.entry(207, "Application internal error"));
    private static final DateTimeFormatter DTM = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private final PipeParser parser = HapiContexts.canonical().getPipeParser();
    private final String application;
    private final String facility;
    private final AtomicLong sequence = new AtomicLong();
    private final String idPrefix = "A" + Long.toString(System.currentTimeMillis() / 1000, 36).toUpperCase();

    /** {@code application}/{@code facility} stand in for MSH-3/4 when the inbound MSH-5/6 are empty. */
    public AckBuilder(String application, String facility) {
        this.application = application;
        this.facility = facility;
    }

    public String build(MshFields inbound, Outcome outcome) {
        try {
            ACK ack = new ACK();
            fillHeader(ack.getMSH(), inbound);
            MSA msa = ack.getMSA();
            msa.getAcknowledgmentCode().setValue(outcome.ackCode());
            msa.getMessageControlID().setValue(inbound == null ? "" : inbound.controlId());
            if (outcome.errorCode() != 0) {
                msa.getTextMessage().setValue(outcome.errorText());
                fillError(ack.getERR(), ackVersion(inbound), outcome);
            }
            return parser.encode(ack);
        } catch (HL7Exception e) {
            // Our own ACK cannot fail to build from plain strings; if it did, the route's error handling answers.
            throw new IllegalStateException("ACK could not be built: " + e.getClass().getSimpleName(), e);
        }
    }

    private void fillHeader(MSH msh, MshFields in) throws HL7Exception {
        msh.getFieldSeparator().setValue("|");
        msh.getEncodingCharacters().setValue("^~\\&");
        msh.getSendingApplication().getNamespaceID().setValue(orDefault(in == null ? "" : in.receivingApplication(),
                application));
        msh.getSendingFacility().getNamespaceID().setValue(orDefault(in == null ? "" : in.receivingFacility(),
                facility));
        if (in != null) {
            msh.getReceivingApplication().getNamespaceID().setValue(in.sendingApplication());
            msh.getReceivingFacility().getNamespaceID().setValue(in.sendingFacility());
        }
        msh.getDateTimeOfMessage().getTime().setValue(DTM.format(ZonedDateTime.now(ZoneId.systemDefault())));
        msh.getMessageType().getMessageCode().setValue("ACK");
        msh.getMessageType().getTriggerEvent().setValue(in == null ? "" : in.triggerEvent());
        msh.getMessageType().getMessageStructure().setValue("ACK");
        msh.getMessageControlID().setValue(idPrefix + Long.toString(sequence.incrementAndGet(), 36).toUpperCase());
        msh.getProcessingID().getProcessingID().setValue(in == null || in.processingId().isEmpty() ? "P"
                : in.processingId());
        // Echoed, even a version we do not accept (docs/billing-facts.md §5 "Echo MSH-11/MSH-12"): a v2.1 sender reads
        // our AR 203 as its own version's ACK. Only a missing MSH-12 gets ours.
        msh.getVersionID().getVersionID().setValue(ackVersion(in));
    }

    private static void fillError(ERR err, String version, Outcome outcome) throws HL7Exception {
        String[] where = outcome.errorLocation().isEmpty() ? new String[0] : outcome.errorLocation().split("\\^");
        String codeText = TABLE_0357.getOrDefault(outcome.errorCode(), "Error");
        if (olderThan25(version)) {
            var eld = err.getErr1_ErrorCodeAndLocation(0);
            if (where.length > 0) {
                eld.getSegmentID().setValue(where[0]);
            }
            if (where.length > 1) {
                eld.getSegmentSequence().setValue(where[1]);
            }
            if (where.length > 2) {
                eld.getFieldPosition().setValue(where[2]);
            }
            eld.getCodeIdentifyingError().getIdentifier().setValue(String.valueOf(outcome.errorCode()));
            eld.getCodeIdentifyingError().getText().setValue(codeText);
            eld.getCodeIdentifyingError().getNameOfCodingSystem().setValue("HL70357");
            return;
        }
        var erl = err.getErr2_ErrorLocation(0);
        if (where.length > 0) {
            erl.getSegmentID().setValue(where[0]);
        }
        if (where.length > 1) {
            erl.getSegmentSequence().setValue(where[1]);
        }
        if (where.length > 2) {
            erl.getFieldPosition().setValue(where[2]);
        }
        err.getErr3_HL7ErrorCode().getIdentifier().setValue(String.valueOf(outcome.errorCode()));
        err.getErr3_HL7ErrorCode().getText().setValue(codeText);
        err.getErr3_HL7ErrorCode().getNameOfCodingSystem().setValue("HL70357");
        err.getErr4_Severity().setValue("E");
        err.getErr7_DiagnosticInformation().setValue(outcome.errorText());
        err.getErr8_UserMessage().setValue(outcome.errorText());
    }

    private static String ackVersion(MshFields in) {
        return in == null || in.version().isBlank() ? "2.5.1" : in.version();
    }

    /** ERR-1 (ERR-2/3/4/7/8 came with v2.5) for 2.0–2.4; any other value, known or not, gets the v2.5 layout. */
    private static boolean olderThan25(String version) {
        return version.matches("2\\.[0-4](\\..*)?");
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }
}
