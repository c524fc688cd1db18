package org.iepcharge.billing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.v251.group.DFT_P03_FINANCIAL;
import ca.uhn.hl7v2.model.v251.group.DFT_P03_INSURANCE;
import ca.uhn.hl7v2.model.v251.message.DFT_P03;
import ca.uhn.hl7v2.model.v251.segment.DG1;
import ca.uhn.hl7v2.model.v251.segment.EVN;
import ca.uhn.hl7v2.model.v251.segment.FT1;
import ca.uhn.hl7v2.model.v251.segment.IN1;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.model.v251.segment.PID;
import ca.uhn.hl7v2.model.v251.segment.PV1;
import ca.uhn.hl7v2.parser.EncodingCharacters;
import ca.uhn.hl7v2.parser.PipeParser;

/**
 * Test helper: a DFT^P03 read back with HAPI into the fields docs/decision-contract.md §8 defines, so tests and
 * golden-file comparisons can assert field by field instead of on whole strings (which differ in harmless trailing
 * delimiters).
 *
 * <p>Every value is the field's <b>ER7 text</b> with the message's own delimiters — components joined by {@code ^},
 * HL7 escapes kept (e.g. {@code \F\} for a literal {@code |}), trailing empty components dropped. A repeating field
 * is a list with one element per repetition (empty list when absent). Both v2.5.1 and v2.5 DFTs are read into HAPI's
 * v2.5.1 structures. No ID generation and no validation (see {@code HapiContexts}).
 *
 * <p>Usage: {@code DftFacts dft = DftFacts.read(er7); assertThat(dft.ft1s().get(0).procedure()).isEqualTo(...)}.
 *
 * @param segments segment names in message order, e.g. {@code [MSH, EVN, PID, PV1, FT1, DG1, IN1]}
 */
public record DftFacts(List<String> segments, Msh msh, Evn evn, Pid pid, Pv1 pv1, List<Ft1> ft1s, List<Dg1> dg1s,
                       List<In1> in1s) {

    /** MSH-3..7, 9..12, 15, 16. */
    public record Msh(String sendingApplication, String sendingFacility, String receivingApplication,
                      String receivingFacility, String dateTime, String messageType, String controlId,
                      String processingId, String version, String acceptAckType, String applicationAckType) {
    }

    /** EVN-1, EVN-2. */
    public record Evn(String eventType, String recordedDateTime) {
    }

    /** PID-3 (repetitions), PID-5 (first repetition), PID-7, PID-8. */
    public record Pid(List<String> identifiers, String name, String birthDate, String sex) {
    }

    /** PV1-2, PV1-3, PV1-19. */
    public record Pv1(String patientClass, String location, String visitNumber) {
    }

    /**
     * The FT1 fields docs/decision-contract.md §8 writes, named after the field (number in the comment of each
     * accessor).
     */
    public record Ft1(String setId,              // FT1-1
                      String transactionId,      // FT1-2
                      String transactionDate,    // FT1-4 (DR: start^end)
                      String postingDate,        // FT1-5
                      String transactionType,    // FT1-6
                      String transactionCode,    // FT1-7
                      String quantity,           // FT1-10
                      String location,           // FT1-16
                      List<String> diagnoses,    // FT1-19
                      List<String> performedBy,  // FT1-20
                      List<String> orderedBy,    // FT1-21
                      String fillerOrderNumber,  // FT1-23
                      String procedure,          // FT1-25
                      List<String> modifiers,    // FT1-26
                      String abnStatus) {        // FT1-27
    }

    /** DG1-1, DG1-3, DG1-6. */
    public record Dg1(String setId, String diagnosis, String type) {
    }

    /** IN1-1, IN1-2, IN1-3 (first repetition), IN1-4 (first repetition), IN1-8, IN1-22, IN1-36. */
    public record In1(String setId, String planId, String companyId, String companyName, String groupNumber,
                      String priority, String policyNumber) {
    }

    /**
     * The FT1 with this transaction ID (FT1-2) and type (FT1-6): the pair billing matches on (docs/decision-contract.md
     * §8).
     */
    public Ft1 ft1(String transactionId, String transactionType) {
        return ft1s.stream()
                .filter(f -> f.transactionId().equals(transactionId) && f.transactionType().equals(transactionType))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no FT1 " + transactionId + "/" + transactionType));
    }

    /** Parses an ER7 DFT^P03 (segments separated by CR; LF and CRLF are accepted too). */
    public static DftFacts read(String er7) {
        String normalised = er7.replace("\r\n", "\r").replace('\n', '\r');
        try {
            PipeParser parser = org.iepcharge.hl7.HapiContexts.create().getPipeParser();
            Message parsed = parser.parse(normalised);
            if (!(parsed instanceof DFT_P03 dft)) {
                throw new IllegalArgumentException("not a DFT^P03: " + parsed.getName());
            }
            return new Reader(EncodingCharacters.getInstance(dft)).read(dft, segmentNames(normalised));
        } catch (HL7Exception e) {
            throw new IllegalArgumentException("cannot parse DFT: " + e.getMessage(), e);
        }
    }

    private static List<String> segmentNames(String er7) {
        return Arrays.stream(er7.split("\r"))
                .filter(s -> !s.isBlank())
                .map(s -> s.length() >= 3 ? s.substring(0, 3) : s)
                .toList();
    }

    private record Reader(EncodingCharacters enc) {

        DftFacts read(DFT_P03 dft, List<String> segments) throws HL7Exception {
            List<Ft1> ft1s = new ArrayList<>();
            for (DFT_P03_FINANCIAL financial : dft.getFINANCIALAll()) {
                ft1s.add(ft1(financial.getFT1()));
            }
            List<Dg1> dg1s = new ArrayList<>();
            for (DG1 dg1 : dft.getDG1All()) {
                dg1s.add(new Dg1(text(dg1.getSetIDDG1()), text(dg1.getDiagnosisCodeDG1()),
                        text(dg1.getDiagnosisType())));
            }
            List<In1> in1s = new ArrayList<>();
            for (DFT_P03_INSURANCE insurance : dft.getINSURANCEAll()) {
                in1s.add(in1(insurance.getIN1()));
            }
            return new DftFacts(segments, msh(dft.getMSH()), evn(dft.getEVN()), pid(dft.getPID()),
                    pv1(dft.getPV1()), List.copyOf(ft1s), List.copyOf(dg1s), List.copyOf(in1s));
        }

        private Msh msh(MSH msh) {
            return new Msh(text(msh.getSendingApplication()), text(msh.getSendingFacility()),
                    text(msh.getReceivingApplication()), text(msh.getReceivingFacility()),
                    text(msh.getDateTimeOfMessage()), text(msh.getMessageType()), text(msh.getMessageControlID()),
                    text(msh.getProcessingID()), text(msh.getVersionID()), text(msh.getAcceptAcknowledgmentType()),
                    text(msh.getApplicationAcknowledgmentType()));
        }

        private Evn evn(EVN evn) {
            return new Evn(text(evn.getEventTypeCode()), text(evn.getRecordedDateTime()));
        }

        private Pid pid(PID pid) {
            return new Pid(texts(pid.getPatientIdentifierList()),
                    pid.getPatientNameReps() == 0 ? "" : text(pid.getPatientName(0)),
                    text(pid.getDateTimeOfBirth()), text(pid.getAdministrativeSex()));
        }

        private Pv1 pv1(PV1 pv1) {
            return new Pv1(text(pv1.getPatientClass()), text(pv1.getAssignedPatientLocation()),
                    text(pv1.getVisitNumber()));
        }

        private Ft1 ft1(FT1 ft1) {
            return new Ft1(text(ft1.getSetIDFT1()), text(ft1.getTransactionID()), text(ft1.getTransactionDate()),
                    text(ft1.getTransactionPostingDate()), text(ft1.getTransactionType()),
                    text(ft1.getTransactionCode()), text(ft1.getTransactionQuantity()),
                    text(ft1.getAssignedPatientLocation()), texts(ft1.getDiagnosisCodeFT1()),
                    texts(ft1.getPerformedByCode()), texts(ft1.getOrderedByCode()),
                    text(ft1.getFillerOrderNumber()), text(ft1.getProcedureCode()),
                    texts(ft1.getProcedureCodeModifier()), text(ft1.getAdvancedBeneficiaryNoticeCode()));
        }

        private In1 in1(IN1 in1) {
            return new In1(text(in1.getSetIDIN1()), text(in1.getInsurancePlanID()),
                    in1.getInsuranceCompanyIDReps() == 0 ? "" : text(in1.getInsuranceCompanyID(0)),
                    in1.getInsuranceCompanyNameReps() == 0 ? "" : text(in1.getInsuranceCompanyName(0)),
                    text(in1.getGroupNumber()), text(in1.getCoordOfBenPriority()), text(in1.getPolicyNumber()));
        }

        private String text(Type type) {
            return PipeParser.encode(type, enc);
        }

        private List<String> texts(Type[] reps) {
            return Arrays.stream(reps).map(this::text).toList();
        }
    }
}
