package org.iepcharge.edge;

import java.nio.charset.Charset;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.DataTypeException;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.PipeParser;
import org.iepcharge.domain.MessageHeader;
import org.iepcharge.domain.Outcome;
import org.iepcharge.hl7.Er7;
import org.iepcharge.hl7.HapiContexts;
import org.iepcharge.hl7.Hl7Text;
import org.iepcharge.hl7.MshFields;

/**
 * Parses once: bytes to text (MSH-18 charset), MSH checks (version before type, as the ACK rules in
 * docs/billing-facts.md §5 order them), a structural HAPI parse without validation, then the explicit field checks.
 */
public final class InboundEdge {

    static final Set<String> VERSIONS = Set.of("2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1",
            "2.8");
    private static final Set<String> TYPES = Set.of("ORM^O01", "OML^O21", "ORU^R01");
    private static final Set<String> TYPE_FAMILIES = Set.of("ORM", "OML", "ORU");
    /** A segment ID: three upper-case letters or digits, the first a letter (Z-segments included). */
    private static final Pattern SEGMENT_ID = Pattern.compile("[A-Z][A-Z0-9]{2}");

    private final Hl7Text text;
    private final PipeParser parser;

    public InboundEdge(Charset defaultCharset) {
        // Parses into this thread's message from the one before: everything read from it is copied into the Inbound
        // record below, and nothing of the HAPI message leaves read().
        this(defaultCharset, HapiContexts.edgeParser());
    }

    /** On another parser: the tests compare with one that parses every message into a new one. */
    InboundEdge(Charset defaultCharset, PipeParser parser) {
        this.text = new Hl7Text(defaultCharset);
        this.parser = parser;
    }

    public Inbound read(byte[] raw) {
        Charset charset = text.charsetOf(raw);
        String hl7 = text.decode(raw, charset);
        Er7 er7 = Er7.of(hl7);
        MshFields msh = er7.msh().filter(m -> er7.firstSegmentName().equals("MSH")).orElse(null);
        if (msh == null) {
            return unreadableHeader(raw, charset, er7);
        }
        MessageHeader header = header(msh);
        if (msh.messageType().equals("ACK")) {
            return new Inbound(raw, charset, msh, header, null, Outcome.noAnswer());
        }
        Outcome headerVerdict = checkHeader(msh);
        if (headerVerdict != null) {
            return new Inbound(raw, charset, msh, header, null, headerVerdict);
        }
        Outcome glued = secondMessage(hl7, msh.fieldSeparator());
        if (glued != null) {
            return new Inbound(raw, charset, msh, header, null, glued);
        }
        Message message;
        try {
            message = parser.parse(hl7);
        } catch (HL7Exception | RuntimeException e) {
            // The sender's message, not our failure: resending it unchanged can never succeed, so never 207.
            return new Inbound(raw, charset, msh, header, null, unparseable(e, er7));
        }
        try {
            LabMessageReader.Read read = LabMessageReader.read(message, header);
            return new Inbound(raw, charset, msh, header, read.message(), null, read.keylessTests());
        } catch (InboundRejection rejection) {
            return new Inbound(raw, charset, msh, header, null, rejection.outcome());
        } catch (HL7Exception e) {
            return new Inbound(raw, charset, msh, header, null, unparseable(e, er7));
        } catch (RuntimeException e) {
            // Our reader failed on a message HAPI parsed: our fault (207), and the sender may resend after a fix.
            return new Inbound(raw, charset, msh, header, null, Outcome.reject(
                    ErrorCode.APPLICATION_INTERNAL_ERROR.getCode(), "",
                    "Application internal error reading the message (" + e.getClass().getSimpleName() + ")"));
        }
    }

    private static MessageHeader header(MshFields msh) {
        return new MessageHeader(msh.sendingApplication(), msh.sendingFacility(), msh.receivingApplication(),
                msh.receivingFacility(), msh.messageType(), msh.triggerEvent(), msh.controlId(), msh.processingId(),
                msh.version(), "");
    }

    /**
     * No MSH to answer by. A batch (FHS/BHS … BTS/FTS in one frame) is refused by name, addressed by its own header
     * and batch control ID: this listener takes one message per frame (README, "Batches").
     */
    private static Inbound unreadableHeader(byte[] raw, Charset charset, Er7 er7) {
        String first = er7.firstSegmentName();
        if (er7.delimiters().isPresent() && (first.equals("FHS") || first.equals("BHS"))) {
            String batchId = er7.get("BHS-11").trim();
            if (batchId.isEmpty()) {
                batchId = er7.get("FHS-11").trim();
            }
            MshFields batch = new MshFields(er7.delimiters().get().field(), er7.get(first + "-2"),
                    er7.get(first + "-3-1").trim(), er7.get(first + "-4-1").trim(), er7.get(first + "-5-1").trim(),
                    er7.get(first + "-6-1").trim(), first, "", batchId, er7.get("MSH-11-1").trim(),
                    er7.get("MSH-12-1").trim(), "", "", "");
            return new Inbound(raw, charset, batch, header(batch), null,
                    Outcome.reject(ErrorCode.UNSUPPORTED_MESSAGE_TYPE.getCode(), first + "^1",
                            "HL7 batches (FHS/BHS) are not supported on this listener: send each message in its own"
                                    + " MLLP frame"));
        }
        return new Inbound(raw, charset, null, null, null, Outcome.reject(
                ErrorCode.SEGMENT_SEQUENCE_ERROR.getCode(), "MSH",
                "Message does not start with a readable MSH segment"));
    }

    /**
     * AE 100 (segment sequence) or 102 (data type) for a message HAPI cannot parse, located by HAPI where it says, else
     * by the first line that is not a segment. HAPI's own text quotes field values (PHI): only codes and positions go
     * into the answer.
     */
    private static Outcome unparseable(Exception e, Er7 er7) {
        int code = e instanceof DataTypeException ? ErrorCode.DATA_TYPE_ERROR.getCode()
                : ErrorCode.SEGMENT_SEQUENCE_ERROR.getCode();
        if (e instanceof HL7Exception hl7 && hl7.getErrorCode() >= 100 && hl7.getErrorCode() <= 103) {
            code = hl7.getErrorCode();
        }
        String where = e instanceof HL7Exception hl7 && hl7.getLocation() != null ? location(hl7) : "";
        if (!where.isEmpty() && !where.equals("MSH")) {
            return Outcome.error(code, where, "Message structure could not be parsed at " + where.replace('^', ' '));
        }
        BrokenLine broken = firstBrokenLine(er7.segments());
        if (broken != null) {
            return Outcome.error(code, broken.location(), broken.text());
        }
        return Outcome.error(code, where, "Message structure could not be parsed");
    }

    /** Where a line that is not a segment starts, named by the segment before it (a line break inside a field). */
    record BrokenLine(String location, String text) {
    }

    static BrokenLine firstBrokenLine(List<String> segments) {
        String previous = "";
        int previousOccurrence = 0;
        int previousFields = 0;
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        char fs = segments.isEmpty() || segments.get(0).length() < 4 ? '|' : segments.get(0).charAt(3);
        for (int i = 0; i < segments.size(); i++) {
            String s = segments.get(i);
            String name = s.length() >= 3 ? s.substring(0, 3) : s;
            boolean isSegment = SEGMENT_ID.matcher(name).matches() && (s.length() == 3 || s.charAt(3) == fs);
            if (!isSegment) {
                if (previous.isEmpty()) {
                    return new BrokenLine("", "Line " + (i + 1) + " of the message is not an HL7 segment");
                }
                int field = previous.equals("MSH") ? previousFields : previousFields - 1;
                return new BrokenLine(previous + "^" + previousOccurrence + "^" + field, "Line " + (i + 1)
                        + " of the message is not an HL7 segment: a line break inside " + previous + "-" + field
                        + " of " + previous + " " + previousOccurrence + "?");
            }
            previous = name;
            previousOccurrence = seen.merge(name, 1, Integer::sum);
            previousFields = s.split(Pattern.quote(String.valueOf(fs)), -1).length;
        }
        return null;
    }

    /**
     * A second MSH in the frame: two messages glued together without a batch envelope. HAPI would read them as one,
     * the second PID overwriting the first and every OBR charged to the last patient; refused instead, nothing stored.
     */
    private static Outcome secondMessage(String hl7, char fieldSeparator) {
        int at = hl7.indexOf("\rMSH" + fieldSeparator);
        if (at < 0) {
            return null;
        }
        int line = 2;
        for (int i = hl7.indexOf('\r'); i >= 0 && i < at; i = hl7.indexOf('\r', i + 1)) {
            line++;
        }
        return Outcome.error(ErrorCode.SEGMENT_SEQUENCE_ERROR.getCode(), "MSH^2", "A second MSH segment (line "
                + line + "): one frame holds one message; send each message in its own MLLP frame");
    }

    private static Outcome checkHeader(MshFields msh) {
        if (!VERSIONS.contains(msh.version())) {
            String shown = msh.version().isEmpty() ? "MSH-12 is empty"
                    : "version " + msh.version().replaceAll("[^0-9A-Za-z.]", "?") + " is not supported";
            return Outcome.reject(203, "MSH^1^12", "Unsupported version ID: " + shown + " (accepted: 2.2 to 2.8)");
        }
        String type = msh.messageType() + "^" + msh.triggerEvent();
        if (TYPES.contains(type)) {
            return null;
        }
        if (TYPE_FAMILIES.contains(msh.messageType())) {
            return Outcome.reject(201, "MSH^1^9", "Unsupported event " + safe(type)
                    + ": accepted are ORM^O01, OML^O21 and ORU^R01");
        }
        return Outcome.reject(200, "MSH^1^9", "Unsupported message type " + safe(type)
                + ": accepted are ORM^O01, OML^O21 and ORU^R01");
    }

    private static String safe(String type) {
        return type.replaceAll("[^0-9A-Za-z^_]", "?");
    }

    private static String location(HL7Exception e) {
        var l = e.getLocation();
        StringBuilder sb = new StringBuilder(l.getSegmentName() == null ? "" : l.getSegmentName());
        if (l.getSegmentRepetition() > 0 || l.getField() > 0) {
            sb.append('^').append(Math.max(l.getSegmentRepetition(), 1));
        }
        if (l.getField() > 0) {
            sb.append('^').append(l.getField());
        }
        return sb.toString();
    }
}
