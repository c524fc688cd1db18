package org.iepcharge.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Builds the ORM / ORU messages of the end-to-end tests field by field (by HL7 field number, so no pipe is
 * miscounted). Defaults: an IEP order (LOINC 13169-8) for a Medicare patient with D47.2, v2.5.1.
 */
public final class LabMessages {
    public static final String IEP = "13169-8^Immunoelectrophoresis serum^LN";
    public static final String COLLECTED = "20261120080000";
    /** The ordering provider (XCN with NPI) of every built order. */
    public static final String ORDERING = "1234567890^Welby^Marcus^^^^^^NPI";

    private LabMessages() {
    }

    /**
     * One segment from (field number, value) pairs; for MSH, field 1 is the separator and 2 the encoding chars. Empty
     * trailing fields are left out, as an HL7 writer does.
     */
    public static String seg(String name, Object... numberValue) {
        TreeMap<Integer, String> fields = new TreeMap<>();
        for (int i = 0; i < numberValue.length; i += 2) {
            fields.put((Integer) numberValue[i], String.valueOf(numberValue[i + 1]));
        }
        while (!fields.isEmpty() && fields.lastEntry().getValue().isEmpty()) {
            fields.remove(fields.lastKey());
        }
        int first = name.equals("MSH") ? 3 : 1;
        StringBuilder sb = new StringBuilder(name.equals("MSH") ? "MSH|^~\\&" : name);
        int last = fields.isEmpty() ? first - 1 : fields.lastKey();
        for (int f = first; f <= last; f++) {
            sb.append('|').append(fields.getOrDefault(f, ""));
        }
        return sb.toString();
    }

    public static String msh(String type, String controlId, String version) {
        return msh(type, controlId, version, "");
    }

    public static String msh(String type, String controlId, String version, String charset) {
        return charset.isEmpty()
                ? seg("MSH", 3, "LIS", 4, "MAINLAB", 5, "IEPROUTER", 6, "MAINLAB", 7, "20261120083000", 9, type,
                        10, controlId, 11, "P", 12, version)
                : seg("MSH", 3, "LIS", 4, "MAINLAB", 5, "IEPROUTER", 6, "MAINLAB", 7, "20261120083000", 9, type,
                        10, controlId, 11, "P", 12, version, 18, charset);
    }

    public static String pid(String mrn, String name) {
        return seg("PID", 1, "1", 3, mrn + "^^^MAINLAB^MR", 5, name, 7, "19580312", 8, "F");
    }

    public static String join(List<String> segments) {
        return String.join("\r", segments) + "\r";
    }

    /** ORM^O01 NW for {@code placer}. */
    public static String orm(String version, String controlId, String placer) {
        return orm(version, controlId, placer, "Doe^Jane^Q", "");
    }

    public static String orm(String version, String controlId, String placer, String patientName, String charset) {
        return orm(version, controlId, placer, "MRN-" + placer, patientName, charset);
    }

    /** ORM^O01 NW for {@code placer} and the patient with medical record number {@code mrn}. */
    public static String orm(String version, String controlId, String placer, String mrn, String patientName,
                             String charset) {
        List<String> s = new ArrayList<>();
        s.add(msh(version.startsWith("2.3") && !version.equals("2.3.1") ? "ORM^O01" : "ORM^O01^ORM_O01", controlId,
                version, charset));
        s.add(pid(mrn, patientName));
        s.add(seg("PV1", 1, "1", 2, "O", 3, "OUTPT^^^MAINLAB"));
        s.add(seg("IN1", 1, "1", 2, "MCR", 3, "00430", 4, "MEDICARE PART B", 22, "1"));
        s.add(seg("ORC", 1, "NW", 2, placer + "^LIS", 12, ORDERING));
        s.add(obr(placer, "", IEP, COLLECTED, ""));
        s.add(seg("DG1", 1, "1", 3, "D47.2^Monoclonal gammopathy^I10", 6, "F"));
        return join(s);
    }

    /** ORU^R01 with one OBR (result status {@code status}) and one TX OBX. */
    public static String oru(String version, String controlId, String placer, String filler, String status) {
        return oru(version, controlId, placer, filler, status, "Doe^Jane^Q", "");
    }

    public static String oru(String version, String controlId, String placer, String filler, String status,
                             String patientName, String charset) {
        return oru(version, controlId, placer, filler, status, "MRN-" + placer, patientName, charset);
    }

    /** As {@link #oru(String, String, String, String, String)}, for the patient {@code mrn}. */
    public static String oru(String version, String controlId, String placer, String filler, String status,
                             String mrn, String patientName, String charset) {
        List<String> s = new ArrayList<>();
        s.add(msh(version.startsWith("2.3") && !version.equals("2.3.1") ? "ORU^R01" : "ORU^R01^ORU_R01", controlId,
                version, charset));
        s.add(pid(mrn, patientName));
        s.add(seg("PV1", 1, "1", 2, "O", 3, "OUTPT^^^MAINLAB"));
        s.add(seg("ORC", 1, "RE", 2, placer + "^LIS", 3, filler + "^LAB"));
        s.add(obr(placer, filler + "^LAB", IEP, COLLECTED, status));
        s.add(seg("OBX", 1, "1", 2, "TX", 3, IEP, 5, "IgG kappa monoclonal protein identified", 11,
                status.equals("C") ? "C" : status.equals("F") ? "F" : "P"));
        return join(s);
    }

    public static String obr(String placer, String filler, String test, String collected, String status) {
        return seg("OBR", 1, "1", 2, placer + "^LIS", 3, filler, 4, test, 7, collected, 16,
                ORDERING, 25, status);
    }

    /**
     * ORM^O01 NW for {@code placer} (v2.5.1, control ID {@code ORM-<placer>}) with its own patient {@code MRN-<placer>}:
     * the same patient, CPT and date from another order would be held as a same-day repeat.
     */
    public static String orm(String placer) {
        List<String> s = new ArrayList<>();
        s.add(msh("ORM^O01^ORM_O01", "ORM-" + placer, "2.5.1"));
        s.add(pid("MRN-" + placer, "Doe^Jane^Q"));
        s.add(seg("PV1", 1, "1", 2, "O", 3, "OUTPT^^^MAINLAB", 7, "1234567890^Welby^Marcus"));
        s.add(seg("IN1", 1, "1", 2, "MCR", 3, "00430^^^CMS", 4, "MEDICARE PART B", 25, "1"));
        s.add(seg("ORC", 1, "NW", 2, placer + "^LIS", 12, ORDERING, 23, "1"));
        s.add(seg("OBR", 1, "1", 2, placer + "^LIS", 4, IEP, 7, COLLECTED, 16, ORDERING));
        s.add(seg("DG1", 1, "1", 3, "D47.2^Monoclonal gammopathy^I10", 7, "F"));
        return join(s);
    }

    /** The ORU^R01 for {@link #orm(String)}'s order: status F (final) or C (corrected); {@code collected} is OBR-7. */
    public static String oru(String placer, String status, String collected) {
        String filler = "F" + placer;
        List<String> s = new ArrayList<>();
        s.add(msh("ORU^R01^ORU_R01", "ORU-" + placer + "-" + status + collected, "2.5.1").replace(
                "|20261120083000|", "|20261121100000|"));
        s.add(pid("MRN-" + placer, "Doe^Jane^Q"));
        s.add(seg("PV1", 1, "1", 2, "O", 3, "OUTPT^^^MAINLAB"));
        s.add(seg("ORC", 1, "RE", 2, placer + "^LIS", 3, filler + "^LAB"));
        s.add(seg("OBR", 1, "1", 2, placer + "^LIS", 3, filler + "^LAB", 4, IEP, 7, collected, 23, "20261121095900",
                26, status));
        s.add(seg("OBX", 1, "1", 2, "TX", 3, IEP, 5, "IgG kappa monoclonal protein identified", 11, status));
        return join(s);
    }

    /** A v2.5.1 IEP order (ORM^O01 NW) for the patient {@code mrn}. */
    public static String order(String controlId, String placer, String mrn) {
        return orm("2.5.1", controlId, placer, mrn, "Doe^Jane^Q", "");
    }

    /** A v2.5.1 final result (ORU^R01, status F) for the order; without an order before it the payer is unknown. */
    public static String finalResult(String controlId, String placer, String filler, String mrn) {
        return oru("2.5.1", controlId, placer, filler, "F", mrn, "Doe^Jane^Q", "");
    }

    /** A header alone naming HL7 version 9.9: not a message the engine can read (answered AR). */
    public static String unsupportedVersion(String controlId) {
        return msh("ORU^R01^ORU_R01", controlId, "9.9") + "\r";
    }
}
