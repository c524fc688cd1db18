package org.iepcharge.hl7;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.message.ACK;
import ca.uhn.hl7v2.model.v251.segment.ERR;
import ca.uhn.hl7v2.model.v251.segment.MSA;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.parser.PipeParser;
import org.iepcharge.domain.Outcome;

/**
 * Builds every ACK this engine sends — to the LIS, and from the billing stand-in — with HAPI (docs/billing-facts.md
 * §5): routing fields swapped, MSH-12 the inbound version, MSA-2 the inbound MSH-10, and on errors MSA-3 plus an ERR
 * segment in the inbound version's layout — ERR-1 before v2.5, ERR-2/3/4/7/8 from v2.5 — carrying the table 0357 code
 * with HAPI's own text for it ({@link ErrorCode}).
 *
 * <p>Acknowledgement mode (docs/billing-facts.md §5, "Mode selection"): with MSH-15 and MSH-16 both empty the answer
 * is the original-mode AA/AE/AR. When MSH-15 asks for an accept acknowledgement for this outcome (AL always, ER on
 * an error, SU on success) the answer is the enhanced-mode accept acknowledgement: CA when the message was committed
 * and accepted, CR when it was refused for MSH-9/MSH-11/MSH-12 (table 0357 codes 200–203), CE for every other error,
 * with the same ERR. It is only ever built after the commit, as every answer is. No application acknowledgement is
 * ever sent as a message of its own, whatever MSH-16 asks: the listener has no connection back to the LIS, and the one
 * answer already carries the outcome (a content error is CE with its ERR, never a CA that hides it). When MSH-15 asks
 * for no accept acknowledgement (NE, ER on success, SU on an error), the one answer is the original-mode AA/AE/AR: an
 * MLLP sender waits for an answer before it sends the next message.
 */
public final class AckBuilder {

    private static final DateTimeFormatter DTM = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    /** Compiled once (String.matches compiles on every call, here once per error ACK). */
    private static final Pattern BEFORE_25 = Pattern.compile("2\\.[0-4](\\..*)?");

    private final PipeParser parser = HapiContexts.parser();
    /**
     * Each thread's ACK structures, instantiated once and refilled (the route thread's HAPI model building per ACK was
     * ≈ 3 % of its CPU and ≈ 6 KB per message: BENCHMARKS.md, "LIS route thread, second pass"): one for answers to an
     * inbound MSH without an error, which set the same fields every time, so the answer the LIS gets for nearly every
     * message touches nothing else; one for the others (errors, no inbound MSH), which empty MSA-3 and ERR first (see
     * {@link #build}). {@code AckBuilderTest} compares every answer after every other with one built on a new
     * structure, byte for byte.
     */
    private final ThreadLocal<ACK> plainAck = ThreadLocal.withInitial(this::newAck);
    private final ThreadLocal<ACK> otherAck = ThreadLocal.withInitial(this::newAck);
    /** MSH-7 of the current second: formatting a ZonedDateTime per ACK cost ≈ 1 % of the route thread. */
    private volatile Stamp stamp = new Stamp(Long.MIN_VALUE, "");
    private final String application;
    private final String facility;
    private final LongSupplier clock;
    private final Supplier<String> controlIds;

    /** {@code application}/{@code facility} stand in for MSH-3/4 when the inbound MSH-5/6 are empty. */
    public AckBuilder(String application, String facility) {
        this(application, facility, System::currentTimeMillis, sequence());
    }

    /** With MSH-7's clock (epoch milliseconds) and MSH-10's source given: the tests compare whole answers. */
    AckBuilder(String application, String facility, LongSupplier clock, Supplier<String> controlIds) {
        this.application = application;
        this.facility = facility;
        this.clock = clock;
        this.controlIds = controlIds;
    }

    /** MSH-10 of our ACKs: a prefix from the start time, then a counter (both base 36). */
    private static Supplier<String> sequence() {
        AtomicLong sequence = new AtomicLong();
        String idPrefix = "A" + Long.toString(System.currentTimeMillis() / 1000, 36).toUpperCase();
        return () -> idPrefix + Long.toString(sequence.incrementAndGet(), 36).toUpperCase();
    }

    public String build(MshFields inbound, Outcome outcome) {
        try {
            // A refilled structure: fillHeader sets every MSH field any answer sets (MSH-5/6 empty without an inbound
            // MSH). An answer to an inbound MSH without an error sets MSA-1/2 and nothing else, so it has a structure of
            // its own; on the other one MSA-3 is set or emptied and ERR emptied (HAPI's clear()) before an error fills
            // it, so nothing of an earlier answer can remain.
            boolean plain = inbound != null && outcome.errorCode() == 0;
            ACK ack = plain ? plainAck.get() : otherAck.get();
            fillHeader(ack.getMSH(), inbound);
            MSA msa = ack.getMSA();
            msa.getAcknowledgmentCode().setValue(answerCode(inbound, outcome).name());
            msa.getMessageControlID().setValue(inbound == null ? "" : inbound.controlId());
            if (!plain) {
                msa.getTextMessage().setValue(outcome.errorCode() == 0 ? "" : outcome.errorText());
                if (ack.currentReps("ERR") > 0) {
                    ack.getERR().clear();
                }
                if (outcome.errorCode() != 0) {
                    fillError(ack.getERR(), ackVersion(inbound), outcome);
                }
            }
            return parser.encode(ack);
        } catch (HL7Exception e) {
            // Our own ACK cannot fail to build from plain strings; if it did, the route's error handling answers.
            throw new IllegalStateException("ACK could not be built: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * An empty ACK on our context: a bare new ACK() makes a PipeParser with a default HapiContext of its own on the
     * first field set, per ACK, and runs HAPI's default validation on every field (measured in BENCHMARKS.md).
     */
    private ACK newAck() {
        ACK ack = new ACK(parser.getHapiContext().getModelClassFactory());
        ack.setParser(parser);
        return ack;
    }

    private record Stamp(long second, String text) {
    }

    /** MSH-7 to the second, formatted once per second (a race at most formats the same second twice). */
    private String now() {
        long second = Math.floorDiv(clock.getAsLong(), 1000L);
        Stamp s = stamp;
        if (s.second() != second) {
            s = new Stamp(second, DTM.format(java.time.Instant.ofEpochSecond(second).atZone(ZoneId.systemDefault())));
            stamp = s;
        }
        return s.text();
    }

    private void fillHeader(MSH msh, MshFields in) throws HL7Exception {
        msh.getFieldSeparator().setValue("|");
        msh.getEncodingCharacters().setValue("^~\\&");
        msh.getSendingApplication().getNamespaceID().setValue(orDefault(in == null ? "" : in.receivingApplication(),
                application));
        msh.getSendingFacility().getNamespaceID().setValue(orDefault(in == null ? "" : in.receivingFacility(),
                facility));
        msh.getReceivingApplication().getNamespaceID().setValue(in == null ? "" : in.sendingApplication());
        msh.getReceivingFacility().getNamespaceID().setValue(in == null ? "" : in.sendingFacility());
        msh.getDateTimeOfMessage().getTime().setValue(now());
        msh.getMessageType().getMessageCode().setValue("ACK");
        msh.getMessageType().getTriggerEvent().setValue(in == null ? "" : in.triggerEvent());
        msh.getMessageType().getMessageStructure().setValue("ACK");
        msh.getMessageControlID().setValue(controlIds.get());
        msh.getProcessingID().getProcessingID().setValue(in == null || in.processingId().isEmpty() ? "P"
                : in.processingId());
        // Echoed, even a version we do not accept (docs/billing-facts.md §5 "Echo MSH-11/MSH-12"): a v2.1 sender reads
        // our AR 203 as its own version's ACK. Only a missing MSH-12 gets ours.
        msh.getVersionID().getVersionID().setValue(ackVersion(in));
    }

    private static void fillError(ERR err, String version, Outcome outcome) throws HL7Exception {
        String[] where = outcome.errorLocation().isEmpty() ? new String[0] : outcome.errorLocation().split("\\^");
        ErrorCode known = ErrorCode.errorCodeFor(outcome.errorCode());
        String codeText = known == null ? "Error" : known.getMessage();
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

    /**
     * MSA-1 for {@code outcome} (whose ack code is the original-mode AA/AE/AR) answering {@code inbound}: the
     * enhanced-mode accept acknowledgement when MSH-15 asks for one, else the original-mode code (see the class
     * comment).
     */
    public static AcknowledgmentCode answerCode(MshFields inbound, Outcome outcome) {
        AcknowledgmentCode original = AcknowledgmentCode.valueOf(outcome.ackCode());
        if (inbound == null || !inbound.enhancedMode()) {
            return original;
        }
        AcknowledgmentCode accept = switch (original) {
            case AA -> AcknowledgmentCode.CA;
            case AR -> isHeaderRefusal(outcome.errorCode()) ? AcknowledgmentCode.CR : AcknowledgmentCode.CE;
            default -> AcknowledgmentCode.CE;
        };
        boolean asked = switch (inbound.acceptAckType().toUpperCase(java.util.Locale.ROOT)) {
            case "AL" -> true;
            case "ER" -> accept != AcknowledgmentCode.CA;
            case "SU" -> accept == AcknowledgmentCode.CA;
            default -> false; // NE, empty, or a value outside table 0155
        };
        return asked ? accept : original;
    }

    /** Refused for MSH-9, MSH-11 or MSH-12: what a commit reject (CR) means. */
    private static boolean isHeaderRefusal(int errorCode) {
        return errorCode == ErrorCode.UNSUPPORTED_MESSAGE_TYPE.getCode()
                || errorCode == ErrorCode.UNSUPPORTED_EVENT_CODE.getCode()
                || errorCode == ErrorCode.UNSUPPORTED_PROCESSING_ID.getCode()
                || errorCode == ErrorCode.UNSUPPORTED_VERSION_ID.getCode();
    }

    private static String ackVersion(MshFields in) {
        return in == null || in.version().isBlank() ? "2.5.1" : in.version();
    }

    /** ERR-1 (ERR-2/3/4/7/8 came with v2.5) for 2.0–2.4; any other value, known or not, gets the v2.5 layout. */
    private static boolean olderThan25(String version) {
        return BEFORE_25.matcher(version).matches();
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }
}
