package org.iepcharge.edge;

import java.nio.charset.Charset;
import java.util.Set;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.PipeParser;
import org.iepcharge.domain.MessageHeader;
import org.iepcharge.domain.Outcome;

/**
 * Parses once: bytes to text (MSH-18 charset), MSH checks (version before type, as the ACK rules in
 * docs/billing-facts.md §5 order them), a structural HAPI parse without validation, then the explicit field checks.
 */
public final class InboundEdge {

    static final Set<String> VERSIONS = Set.of("2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1",
            "2.8");
    private static final Set<String> TYPES = Set.of("ORM^O01", "OML^O21", "ORU^R01");
    private static final Set<String> TYPE_FAMILIES = Set.of("ORM", "OML", "ORU");

    private final InboundText text;
    private final PipeParser parser;

    public InboundEdge(Charset defaultCharset) {
        this.text = new InboundText(defaultCharset);
        HapiContext context = HapiContexts.canonical();
        this.parser = context.getPipeParser();
    }

    public Inbound read(byte[] raw) {
        Charset charset = text.charsetOf(raw);
        String hl7 = text.decode(raw, charset);
        MshFields msh = MshReader.read(MshReader.firstSegment(hl7));
        if (msh == null) {
            return new Inbound(raw, charset, null, null, null,
                    Outcome.reject(100, "MSH", "Message does not start with a readable MSH segment"));
        }
        MessageHeader header = new MessageHeader(msh.sendingApplication(), msh.sendingFacility(),
                msh.receivingApplication(), msh.receivingFacility(), msh.messageType(), msh.triggerEvent(),
                msh.controlId(), msh.processingId(), msh.version(), "");
        if (msh.messageType().equals("ACK")) {
            return new Inbound(raw, charset, msh, header, null, Outcome.noAnswer());
        }
        Outcome headerVerdict = checkHeader(msh);
        if (headerVerdict != null) {
            return new Inbound(raw, charset, msh, header, null, headerVerdict);
        }
        try {
            Message message = parser.parse(hl7);
            return new Inbound(raw, charset, msh, header, LabMessageReader.read(message, header), null);
        } catch (InboundRejection rejection) {
            return new Inbound(raw, charset, msh, header, null, rejection.outcome());
        } catch (HL7Exception e) {
            // HAPI's own text quotes field values (PHI): keep only its code and location.
            int code = e.getErrorCode() > 0 ? e.getErrorCode() : 207;
            String where = e.getLocation() == null ? "" : location(e);
            return new Inbound(raw, charset, msh, header, null, Outcome.error(code, where,
                    "Message structure could not be parsed" + (where.isEmpty() ? "" : " at " + where)));
        } catch (RuntimeException e) {
            return new Inbound(raw, charset, msh, header, null,
                    Outcome.error(207, "", "Message could not be parsed (" + e.getClass().getSimpleName() + ")"));
        }
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
