package org.iepcharge.billing;

import java.util.List;
import java.util.Objects;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.DataTypeException;
import ca.uhn.hl7v2.model.AbstractSegment;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.v251.message.DFT_P03;
import ca.uhn.hl7v2.model.v251.segment.DG1;
import ca.uhn.hl7v2.model.v251.segment.IN1;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.model.v251.segment.PID;
import ca.uhn.hl7v2.model.v251.segment.PV1;
import ca.uhn.hl7v2.parser.PipeParser;
import org.iepcharge.domain.ChargeDocument;
import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.FinancialTransaction;
import org.iepcharge.domain.Insurance;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.Patient;
import org.iepcharge.hl7.HapiContexts;
import org.iepcharge.hl7.Hl7Charsets;

/**
 * Builds the DFT^P03 of docs/decision-contract.md §8 from a {@link ChargeDocument}: MSH, EVN, PID, PV1, one FT1 per
 * transaction, one DG1 per diagnosis, one IN1 per known insurance.
 *
 * <p>The output is a pure function of the document and the settings: every value (MSH-10, MSH-7, every FT1-2) comes
 * from the document, nothing is generated, so a redelivery of the same document carries the very same bytes
 * (docs/decision-contract.md §8). Segments are terminated by CR (HAPI's ER7 encoding, including after the last
 * segment). The result is a Java string; the caller chooses the character encoding, so non-ASCII names survive here.
 *
 * <p>Thread-safe: the HAPI context and parser are shared read-only; each thread builds in a message of its own.
 */
public final class DftBuilder {
    /** MSH-10 is ST(20) [4.3]; docs/decision-contract.md §8. */
    public static final int MAX_CONTROL_ID_LENGTH = 20;
    /** FT1-2 is ST(12) in every version through 2.8 [4.2]; docs/decision-contract.md §8. */
    public static final int MAX_TRANSACTION_ID_LENGTH = 12;

    private static final String DEFAULT_DIAGNOSIS_TYPE = "F";

    private final DftSettings settings;
    private final HapiContext hapi;
    private final PipeParser parser;
    private final Ft1Writer ft1Writer;
    /**
     * One DFT_P03 per thread, its segments kept from build to build and emptied before each ({@link #emptied}): HAPI
     * makes every segment and group by reflection and registers each segment's field definitions anew (52 for PV1),
     * ≈ 13 µs and 60 KB of a 160 KB build (BENCHMARKS.md, "Outbox thread"). A message is not thread-safe, hence
     * one per thread (the outbox's route threads, one per billing connection).
     */
    private final ThreadLocal<DFT_P03> messages;

    public DftBuilder(DftSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.parser = HapiContexts.parser();
        this.hapi = parser.getHapiContext();
        this.ft1Writer = new Ft1Writer(settings);
        this.messages = ThreadLocal.withInitial(() -> {
            try {
                return hapi.newMessage(DFT_P03.class);
            } catch (HL7Exception e) {
                throw new IllegalStateException("Could not create a DFT^P03 structure", e);
            }
        });
    }

    /**
     * @return the ER7-encoded DFT^P03
     * @throws IllegalArgumentException when the document cannot be written as docs/decision-contract.md §8 requires
     * (MSH-10 or
     *                                  an FT1-2 blank or too long, a repeated (FT1-2, FT1-6) pair, a modifier
     *                                  without a known coding system). Messages never contain patient data.
     */
    public String build(ChargeDocument doc) {
        Objects.requireNonNull(doc, "doc");
        DftDocumentChecks.check(doc);
        try {
            List<FinancialTransaction> transactions = doc.transactions();
            DFT_P03 dft = emptied(messages.get(), transactions.size(), doc.context().diagnoses().size(),
                    doc.context().insurance().size());
            writeMsh(dft.getMSH(), doc);
            dft.getEVN().getEventTypeCode().setValue("P03");
            dft.getEVN().getRecordedDateTime().getTime().setValue(doc.postedAt());
            writePid(dft.getPID(), doc.context().patient());
            writePv1(dft.getPV1(), doc.context());
            for (int i = 0; i < transactions.size(); i++) {
                ft1Writer.write(dft.getFINANCIAL(i).getFT1(), i + 1, transactions.get(i), doc);
            }
            writeDg1s(dft, doc.context().diagnoses());
            writeIn1s(dft, doc.context().insurance());
            String encoded = parser.encode(dft);
            if (isAscii(encoded)) {
                return encoded; // MSH-18 empty means ASCII (HL7 2.5.1 §2.14.9.18)
            }
            // The outbox stores the DFT as UTF-8 bytes: say so, or billing reads a non-ASCII name as ASCII.
            dft.getMSH().getCharacterSet(0).setValue(Hl7Charsets.UTF_8_NAME);
            return parser.encode(dft);
        } catch (HL7Exception e) {
            // HAPI messages can echo field values; keep them out (no patient data in exceptions or logs).
            throw new IllegalStateException("Could not encode DFT^P03 for control ID " + doc.controlId(), e);
        }
    }

    /**
     * The document as the outbox stores it, checked as {@link #build} checks it: a document {@link #build} would
     * refuse is refused here, inside the transaction that queues it. The bytes are built when the DFT is sent
     * ({@link StoredDft#render()}), the same bytes {@link #build} gives now.
     *
     * @throws IllegalArgumentException as {@link #build}
     */
    public StoredDft stored(ChargeDocument doc) {
        Objects.requireNonNull(doc, "doc");
        DftDocumentChecks.check(doc);
        return new StoredDft(settings, doc);
    }

    /**
     * The thread's message as a new one would be for this document: every segment the builder writes emptied of its
     * values ({@link #emptied(AbstractSegment)}: nothing of the previous document is left — MSH-18 included), and no more
     * repetitions of FINANCIAL, DG1 and INSURANCE than this document fills. The structures the builder never writes
     * stay empty, as in a new message, so the encoding is byte for byte that of a new message (DftBuilderTest builds
     * documents of different shapes one after the other on one thread and compares, golden and generated ones).
     */
    private static DFT_P03 emptied(DFT_P03 dft, int financial, int dg1, int insurance) throws HL7Exception {
        emptied(dft.getMSH());
        emptied(dft.getEVN());
        emptied(dft.getPID());
        emptied(dft.getPV1());
        for (int i = keep(dft, "FINANCIAL", financial) - 1; i >= 0; i--) {
            emptied(dft.getFINANCIAL(i).getFT1());
        }
        for (int i = keep(dft, "DG1", dg1) - 1; i >= 0; i--) {
            emptied(dft.getDG1(i));
        }
        for (int i = keep(dft, "INSURANCE", insurance) - 1; i >= 0; i--) {
            emptied(dft.getINSURANCE(i).getIN1());
        }
        return dft;
    }

    /**
     * Empties one segment but keeps the first repetition of each field it holds, emptied by HAPI's own
     * {@code Type.clear()} (every component, subcomponent and extra component set to no value). {@code Segment.clear()}
     * drops the repetitions themselves, so every build made each typed field anew — an XCN is some 40 objects — a
     * third of the build's CPU outside the encode and a fifth of its allocation (BENCHMARKS.md, "Outbox thread, third
     * pass"). HAPI's PipeParser encodes an empty first repetition as it encodes an absent field (nothing between the
     * separators, trailing ones stripped); later repetitions are removed, since an empty second one would add a
     * {@code ~}. The builder's typed getters then hand back the emptied objects instead of making new ones.
     */
    private static void emptied(AbstractSegment segment) throws HL7Exception {
        for (int field = 1; field <= segment.numFields(); field++) {
            Type[] reps = segment.getField(field);
            for (int rep = reps.length - 1; rep >= 1; rep--) {
                segment.removeRepetition(field, rep);
            }
            if (reps.length > 0) {
                reps[0].clear();
            }
        }
    }

    /** Removes the repetitions of {@code name} beyond the first {@code max}; returns how many are left. */
    private static int keep(DFT_P03 dft, String name, int max) throws HL7Exception {
        int reps = dft.currentReps(name);
        while (reps > max) {
            dft.removeRepetition(name, --reps);
        }
        return reps;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7F) {
                return false;
            }
        }
        return true;
    }

    private void writeMsh(MSH msh, ChargeDocument doc) throws DataTypeException {
        msh.getFieldSeparator().setValue("|");
        msh.getEncodingCharacters().setValue("^~\\&");
        msh.getSendingApplication().getNamespaceID().setValue(settings.sendingApplication());
        msh.getSendingFacility().getNamespaceID().setValue(settings.sendingFacility());
        msh.getReceivingApplication().getNamespaceID().setValue(settings.receivingApplication());
        msh.getReceivingFacility().getNamespaceID().setValue(settings.receivingFacility());
        msh.getDateTimeOfMessage().getTime().setValue(doc.postedAt());
        msh.getMessageType().getMessageCode().setValue("DFT");
        msh.getMessageType().getTriggerEvent().setValue("P03");
        msh.getMessageType().getMessageStructure().setValue("DFT_P03");
        msh.getMessageControlID().setValue(doc.controlId());
        msh.getProcessingID().getProcessingID().setValue(doc.processingId());
        msh.getVersionID().getVersionID().setValue(settings.version());
        // MSH-15/16 stay empty: original-mode acknowledgement (docs/decision-contract.md §8).
    }

    private static void writePid(PID pid, Patient patient) throws DataTypeException {
        var id = pid.getPatientIdentifierList(0);
        id.getIDNumber().setValue(patient.id());
        id.getAssigningAuthority().getNamespaceID().setValue(patient.authority());
        id.getIdentifierTypeCode().setValue(patient.idType());
        var name = pid.getPatientName(0);
        name.getFamilyName().getSurname().setValue(patient.name().family());
        name.getGivenName().setValue(patient.name().given());
        name.getSecondAndFurtherGivenNamesOrInitialsThereof().setValue(patient.name().middle());
        pid.getDateTimeOfBirth().getTime().setValue(patient.birthDate());
        pid.getAdministrativeSex().setValue(patient.sex());
    }

    private static void writePv1(PV1 pv1, OrderContext context) throws DataTypeException {
        pv1.getPatientClass().setValue(context.visit().patientClass());
        Hl7Values.pl(pv1.getAssignedPatientLocation(), context.visit().location());
        pv1.getVisitNumber().getIDNumber().setValue(context.visit().visitNumber());
    }

    private void writeDg1s(DFT_P03 dft, List<Diagnosis> diagnoses) throws HL7Exception {
        for (int i = 0; i < diagnoses.size(); i++) {
            Diagnosis d = diagnoses.get(i);
            DG1 dg1 = dft.getDG1(i);
            dg1.getSetIDDG1().setValue(Integer.toString(i + 1));
            dg1.getDiagnosisCodeDG1().getIdentifier().setValue(d.code());
            dg1.getDiagnosisCodeDG1().getText().setValue(d.text());
            dg1.getDiagnosisCodeDG1().getNameOfCodingSystem().setValue(DiagnosisCodingSystem.of(d, settings));
            // DG1-6: the inbound diagnosis type, else F (final) — docs/decision-contract.md §8 [4.3].
            dg1.getDiagnosisType().setValue(d.type().isEmpty() ? DEFAULT_DIAGNOSIS_TYPE : d.type());
        }
    }

    /**
     * IN1-1 is renumbered 1..n in the order given: a set ID is a position within this message, not the inbound one.
     */
    private static void writeIn1s(DFT_P03 dft, List<Insurance> insurance) throws HL7Exception {
        for (int i = 0; i < insurance.size(); i++) {
            Insurance ins = insurance.get(i);
            IN1 in1 = dft.getINSURANCE(i).getIN1();
            in1.getSetIDIN1().setValue(Integer.toString(i + 1));
            in1.getInsurancePlanID().getIdentifier().setValue(ins.planId());
            in1.getInsuranceCompanyID(0).getIDNumber().setValue(ins.companyId());
            in1.getInsuranceCompanyName(0).getOrganizationName().setValue(ins.companyName());
            in1.getGroupNumber().setValue(ins.groupNumber());
            in1.getCoordOfBenPriority().setValue(ins.priority() == null ? "" : ins.priority().toString());
            in1.getPolicyNumber().setValue(ins.policyNumber());
        }
    }
}
