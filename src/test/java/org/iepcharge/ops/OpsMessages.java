package org.iepcharge.ops;

/** ER7 messages for the operator-side tests (an IEP order, LOINC 13169-8, for a Medicare patient). */
final class OpsMessages {
    private OpsMessages() {
    }

    static String orm(String controlId, String placer, String mrn) {
        return String.join("\r",
                "MSH|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261120083000||ORM^O01^ORM_O01|" + controlId + "|P|2.5.1",
                "PID|1||" + mrn + "^^^MAINLAB^MR||Doe^Jane^Q||19580312|F",
                "PV1|1|O|OUTPT^^^MAINLAB",
                "IN1|1|MCR|00430|MEDICARE PART B||||||||||||||||||1",
                "ORC|NW|" + placer + "^LIS|||||||||1234567890^Welby^Marcus^^^^^^NPI",
                "OBR|1|" + placer + "^LIS||13169-8^Immunoelectrophoresis serum^LN|||20261120080000|||||||||"
                        + "1234567890^Welby^Marcus^^^^^^NPI",
                "DG1|1||D47.2^Monoclonal gammopathy^I10|||F") + "\r";
    }

    /** A final result; without an order before it the payer is unknown. */
    static String oru(String controlId, String placer, String filler, String mrn) {
        return String.join("\r",
                "MSH|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261120083000||ORU^R01^ORU_R01|" + controlId + "|P|2.5.1",
                "PID|1||" + mrn + "^^^MAINLAB^MR||Doe^Jane^Q||19580312|F",
                "PV1|1|O|OUTPT^^^MAINLAB",
                "ORC|RE|" + placer + "^LIS|" + filler + "^LAB",
                "OBR|1|" + placer + "^LIS|" + filler + "^LAB|13169-8^Immunoelectrophoresis serum^LN|||20261120080000"
                        + "|||||||||1234567890^Welby^Marcus^^^^^^NPI|||||||||F",
                "OBX|1|TX|13169-8^Immunoelectrophoresis serum^LN||IgG kappa monoclonal protein identified||||||F")
                + "\r";
    }

    /** Not HL7 at all: answered AR. */
    static String garbage(String controlId) {
        return "MSH|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261120083000||ORU^R01^ORU_R01|" + controlId + "|P|9.9\r";
    }
}
