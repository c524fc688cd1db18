package org.iepcharge.edge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Segment;
import org.iepcharge.domain.CodedValue;
import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.Insurance;
import org.iepcharge.domain.LabMessage;
import org.iepcharge.domain.Location;
import org.iepcharge.domain.MessageHeader;
import org.iepcharge.domain.Observation;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.OrderedTest;
import org.iepcharge.domain.Outcome;
import org.iepcharge.domain.Patient;
import org.iepcharge.domain.PersonName;
import org.iepcharge.domain.Provider;
import org.iepcharge.domain.Visit;

/**
 * Reads a HAPI-parsed ORM / OML / ORU into a {@link LabMessage} and checks, explicitly, the fields the charge decision
 * cannot do without (docs/decision-contract.md §1): an OBR-4 with something in it, and a well-formed collection date.
 * An OBR-4 empty in every component is AE 101, a malformed date AE 102, with ERR-2 naming the field. A test with only
 * text in OBR-4 is read: recognition decides whether it is charged, held (an IEP-like name) or ignored
 * (docs/decision-contract.md §3). A missing order key is noted, not refused here: only a test we would charge needs
 * one, and only capture knows the charge master. Everything else is left to the rules (a missing collection date or
 * an odd OBR-25 is a hold, not a rejection).
 */
final class LabMessageReader {

    /** The message, and the AE 101 owed by each test that names no order number (by index in its tests). */
    record Read(LabMessage message, Map<Integer, Outcome> keylessTests) {
    }

    /** HL7 DTM with at least a full date: YYYYMMDD[HH[MM[SS[.S[S[S[S]]]]]]][+/-ZZZZ]. */
    private static final Pattern DTM = Pattern.compile("\\d{8}(\\d{2}(\\d{2}(\\d{2}(\\.\\d{1,4})?)?)?)?([+-]\\d{4})?");
    /** Compiled once: String.matches compiles its pattern on every call, and these run for every IN1 and OBR. */
    private static final Pattern SMALL_NUMBER = Pattern.compile("\\d{1,6}");
    private static final Pattern DIGITS = Pattern.compile("\\d*");

    private LabMessageReader() {
    }

    static Read read(Message message, MessageHeader header) throws HL7Exception, InboundRejection {
        List<Segment> segments = SegmentWalker.segments(message);
        Patient patient = Patient.NONE;
        Visit visit = Visit.NONE;
        List<Insurance> insurance = new ArrayList<>();
        List<Diagnosis> messageDiagnoses = new ArrayList<>();
        List<TestBuilder> tests = new ArrayList<>();
        Segment pendingOrc = null;
        int orcCount = 0;
        TestBuilder current = null;

        for (Segment s : segments) {
            switch (s.getName()) {
                case "PID" -> patient = patient(s);
                case "PV1" -> visit = visit(s);
                case "IN1" -> insurance.add(insurance(s, insurance.size() + 1));
                case "ORC" -> {
                    pendingOrc = s;
                    orcCount++;
                    current = null;
                }
                case "OBR" -> {
                    current = new TestBuilder(tests.size() + 1, pendingOrc, pendingOrc == null ? 0 : orcCount, s,
                            !header.version().equals("2.2") && !header.version().equals("2.3"));
                    pendingOrc = null;
                    tests.add(current);
                }
                case "OBX" -> {
                    if (current != null) {
                        current.observations.add(observation(s));
                    }
                }
                case "SPM" -> {
                    if (current != null && current.specimen == null) {
                        current.specimen = s;
                    }
                }
                case "DG1" -> {
                    Diagnosis dx = new Diagnosis(Fields.get(s, 3, 1), Fields.get(s, 3, 2), Fields.get(s, 3, 3),
                            Fields.get(s, 6, 1));
                    if (dx.code().isEmpty()) {
                        break;
                    }
                    if (current != null) {
                        current.diagnoses.add(dx);
                    } else {
                        messageDiagnoses.add(dx);
                    }
                }
                default -> {
                    // NTE, TQ1, Z-segments …: nothing the charge decision reads.
                }
            }
        }
        if (tests.isEmpty()) {
            throw new InboundRejection(Outcome.error(101, "OBR", "Required segment OBR is missing"));
        }
        List<OrderedTest> built = new ArrayList<>();
        Map<Integer, Outcome> keyless = new HashMap<>();
        for (TestBuilder t : tests) {
            OrderedTest test = t.build();
            if (test.key().isEmpty()) {
                keyless.put(built.size(), Outcome.error(101, "ORC^" + Math.max(t.orcIndex, 1) + "^2",
                        "No order number in ORC-2, ORC-3, OBR-2 or OBR-3 for OBR " + t.obrIndex));
            }
            built.add(test);
        }
        return new Read(new LabMessage(header, patient, visit, insurance, messageDiagnoses, built), keyless);
    }

    private static Patient patient(Segment pid) {
        int reps = Fields.repetitions(pid, 3);
        int chosen = 0;
        for (int i = 0; i < reps; i++) {
            if ("MR".equalsIgnoreCase(Fields.get(pid, 3, i, 5, 1))) {
                chosen = i;
                break;
            }
        }
        return new Patient(Fields.get(pid, 3, chosen, 1, 1), Fields.get(pid, 3, chosen, 4, 1),
                Fields.get(pid, 3, chosen, 5, 1),
                new PersonName(Fields.get(pid, 5, 0, 1, 1), Fields.get(pid, 5, 2), Fields.get(pid, 5, 3)),
                Fields.get(pid, 7, 1), Fields.get(pid, 8, 1));
    }

    private static Visit visit(Segment pv1) {
        return new Visit(Fields.get(pv1, 2, 1),
                new Location(Fields.get(pv1, 3, 1), Fields.get(pv1, 3, 2), Fields.get(pv1, 3, 3),
                        Fields.get(pv1, 3, 4)),
                Fields.get(pv1, 19, 1));
    }

    private static Insurance insurance(Segment in1, int ordinal) {
        String setId = Fields.get(in1, 1, 1);
        String priority = Fields.get(in1, 22, 1);
        return new Insurance(parseIntOr(setId, ordinal), SMALL_NUMBER.matcher(priority).matches() ? Integer.valueOf(priority) : null,
                Fields.get(in1, 3, 1), Fields.get(in1, 2, 1), Fields.get(in1, 4, 1), Fields.get(in1, 8, 1),
                Fields.get(in1, 36, 1));
    }

    private static Observation observation(Segment obx) {
        // OBX-23 XON-10 is the organisation identifier (a CLIA number); XON-3 is numeric and never holds one.
        String lab = Fields.get(obx, 23, 10);
        if (lab.isEmpty()) {
            lab = Fields.get(obx, 15, 1);
        }
        return new Observation(Fields.get(obx, 2, 1), coded(obx, 3, 1), Fields.get(obx, 11, 1), lab);
    }

    private static CodedValue coded(Segment s, int field, int firstComponent) {
        return new CodedValue(Fields.get(s, field, firstComponent), Fields.get(s, field, firstComponent + 1),
                Fields.get(s, field, firstComponent + 2));
    }

    private static Provider xcn(Segment s, int field) {
        return new Provider(Fields.get(s, field, 1),
                new PersonName(Fields.get(s, field, 0, 2, 1), Fields.get(s, field, 3), Fields.get(s, field, 4)),
                Fields.get(s, field, 9));
    }

    /**
     * OBR-32 is an NDL in v2.5.1, its person as subcomponents of component 1; older feeds send the person as
     * components (docs/decision-contract.md §1). Accept both.
     */
    private static Provider interpreter(Segment obr) {
        String id = Fields.get(obr, 32, 0, 1, 1);
        String family = Fields.get(obr, 32, 0, 1, 2);
        String given = Fields.get(obr, 32, 0, 1, 3);
        if (family.isEmpty() && !DIGITS.matcher(Fields.get(obr, 32, 2)).matches()) {
            family = Fields.get(obr, 32, 2);
            given = Fields.get(obr, 32, 3);
        }
        return new Provider(id, new PersonName(family, given, ""), "");
    }

    /** CE has 6 components, CWE 9 (v2.5.1+: coding system versions, original text); any one of them is something. */
    private static boolean isEmptyInEveryComponent(Segment s, int field) {
        for (int component = 1; component <= 9; component++) {
            if (!Fields.get(s, field, component).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static int parseIntOr(String s, int fallback) {
        return SMALL_NUMBER.matcher(s).matches() ? Integer.parseInt(s) : fallback;
    }

    private static final class TestBuilder {
        final int obrIndex;
        final boolean hasAbnField;
        final Segment orc;
        final int orcIndex;
        final Segment obr;
        Segment specimen;
        final List<Observation> observations = new ArrayList<>();
        final List<Diagnosis> diagnoses = new ArrayList<>();

        TestBuilder(int obrIndex, Segment orc, int orcIndex, Segment obr, boolean hasAbnField) {
            this.obrIndex = obrIndex;
            this.hasAbnField = hasAbnField;
            this.orc = orc;
            this.orcIndex = orcIndex;
            this.obr = obr;
        }

        OrderedTest build() throws InboundRejection {
            CodedValue test = coded(obr, 4, 1);
            CodedValue alternate = coded(obr, 4, 4);
            if (isEmptyInEveryComponent(obr, 4)) {
                throw new InboundRejection(Outcome.error(101, "OBR^" + obrIndex + "^4",
                        "Required field OBR-4 (universal service identifier) is missing in OBR " + obrIndex));
            }
            OrderKey key = new OrderKey(entity(orc, 2, obr, 2), entity(orc, 3, obr, 3));
            String collection = collectionTime();
            Provider ordering = orc == null ? Provider.NONE : xcn(orc, 12);
            if (ordering.isEmpty()) {
                ordering = xcn(obr, 16);
            }
            List<Diagnosis> dx = new ArrayList<>(diagnoses);
            for (int i = 0; i < Fields.repetitions(obr, 31); i++) {
                String code = Fields.get(obr, 31, i, 1, 1);
                if (!code.isEmpty()) {
                    dx.add(new Diagnosis(code, Fields.get(obr, 31, i, 2, 1), Fields.get(obr, 31, i, 3, 1), ""));
                }
            }
            return new OrderedTest(key, orc == null ? "" : Fields.get(orc, 1, 1), test, alternate,
                    Fields.get(obr, 25, 1), collection, ordering, interpreter(obr), dx,
                    abnStatus(), observations);
        }

        /**
         * ORC-20 exists from v2.3.1 (docs/decision-contract.md §1): a v2.2/2.3 feed has no ABN status, whatever an
         * over-filled ORC carries there — reading it would post GA, shifting liability to the patient on a field the
         * version lacks.
         */
        private String abnStatus() {
            return orc == null || !hasAbnField ? "" : Fields.get(orc, 20, 1);
        }

        /** SPM-17 (v2.5+), else OBR-7; never the result or message date [2.3]. */
        private String collectionTime() throws InboundRejection {
            String fromSpm = specimen == null ? "" : Fields.get(specimen, 17, 1);
            String value = fromSpm.isEmpty() ? Fields.get(obr, 7, 1) : fromSpm;
            String where = fromSpm.isEmpty() ? "OBR^" + obrIndex + "^7" : "SPM^" + obrIndex + "^17";
            if (!value.isEmpty() && !DTM.matcher(value).matches()) {
                String field = fromSpm.isEmpty() ? "OBR-7" : "SPM-17";
                throw new InboundRejection(Outcome.error(102, where, "Collection date/time " + field + " of OBR "
                        + obrIndex + " is not an HL7 date/time (YYYYMMDD[HHMM[SS]])"));
            }
            return value;
        }

        private static EntityId entity(Segment orc, int orcField, Segment obr, int obrField) {
            if (orc != null && !Fields.get(orc, orcField, 1).isEmpty()) {
                return new EntityId(Fields.get(orc, orcField, 1), Fields.get(orc, orcField, 2));
            }
            return new EntityId(Fields.get(obr, obrField, 1), Fields.get(obr, obrField, 2));
        }
    }
}
