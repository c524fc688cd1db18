package org.iepcharge.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The traffic of one LIS connection: for each order an IEP ORM^O01 NW, then {@code nonIepPerOrder} non-IEP results
 * (a CBC ORU^R01), then the IEP final ORU^R01. The IEP pair is the one of {@code testdata/iep} with ORC-2/OBR-2
 * (placer), OBR-3 (filler), MSH-10 and PID-3 made unique per order, so every final result is a new charge (one DFT).
 * A connection sends its own orders in order, so a result never overtakes its order.
 */
public final class MessageMix {
    static final String ORM = "MSH|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261120083000||ORM^O01^ORM_O01|{ID}|P|2.5.1\r"
            + "PID|1||{MRN}^^^MAINLAB^MR||Doe^Jane^Q||19580312|F\r"
            + "PV1|1|O|OUTPT^^^MAINLAB||||1234567890^Welby^Marcus\r"
            + "IN1|1|MCR|00430^^^CMS|MEDICARE PART B|||||||||||||||||||||1\r"
            + "ORC|NW|{PLACER}^LIS||||||||||1234567890^Welby^Marcus^^^^^^NPI|||||||||||1\r"
            + "OBR|1|{PLACER}^LIS||13169-8^Immunoelectrophoresis serum^LN|||20261120080000|||||||||"
            + "1234567890^Welby^Marcus^^^^^^NPI\r"
            + "DG1|1||D47.2^Monoclonal gammopathy^I10||||F\r";
    static final String ORU = "MSH|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261121100000||ORU^R01^ORU_R01|{ID}|P|2.5.1\r"
            + "PID|1||{MRN}^^^MAINLAB^MR||Doe^Jane^Q||19580312|F\r"
            + "PV1|1|O|OUTPT^^^MAINLAB\r"
            + "ORC|RE|{PLACER}^LIS|{FILLER}^LAB\r"
            + "OBR|1|{PLACER}^LIS|{FILLER}^LAB|13169-8^Immunoelectrophoresis serum^LN|||20261120080000||||||||||||||||"
            + "20261121095900|||F\r"
            + "OBX|1|TX|13169-8^Immunoelectrophoresis serum^LN||IgG kappa monoclonal protein identified||||||F\r";
    static final String CBC = "MSH|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261121100000||ORU^R01^ORU_R01|{ID}|P|2.5.1\r"
            + "PID|1||{MRN}^^^MAINLAB^MR||Roe^Richard||19620704|M\r"
            + "PV1|1|O|OUTPT^^^MAINLAB\r"
            + "ORC|RE|{PLACER}^LIS|{FILLER}^LAB\r"
            + "OBR|1|{PLACER}^LIS|{FILLER}^LAB|58410-2^CBC panel - Blood by Automated count^LN|||20261120080000"
            + "||||||||||||||||20261121095900|||F\r"
            + "OBX|1|NM|6690-2^Leukocytes [#/volume] in Blood by Automated count^LN||7.2|10*3/uL|4.0-11.0|N|||F\r"
            + "OBX|2|NM|718-7^Hemoglobin [Mass/volume] in Blood^LN||13.9|g/dL|12.0-16.0|N|||F\r";

    /** What one message is, for the report. */
    public enum Kind { IEP_ORDER, IEP_RESULT, OTHER_RESULT }

    /** One message to send: its frame-less bytes and kind. */
    public record Message(byte[] payload, Kind kind) {
    }

    private final String run;
    private final int connection;
    private final int nonIepPerOrder;
    private long order;
    private int step;

    /**
     * @param run            a short tag making this run's control IDs and keys unique (2–5 characters)
     * @param connection     the connection number (part of every key)
     * @param nonIepPerOrder CBC results between an IEP order and its result
     */
    public MessageMix(String run, int connection, int nonIepPerOrder) {
        this.run = run;
        this.connection = connection;
        this.nonIepPerOrder = nonIepPerOrder;
    }

    /** A run tag of four base-36 characters. */
    public static String newRunTag() {
        return Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36, 36L * 36 * 36 * 36), 36)
                .toUpperCase();
    }

    /** Messages per order: the ORM, the non-IEP results, the ORU. */
    public int cycleLength() {
        return 2 + nonIepPerOrder;
    }

    public Message next() {
        int cycle = cycleLength();
        String key = run + connection + "X" + order;
        Message m;
        if (step == 0) {
            m = new Message(fill(ORM, key, "O"), Kind.IEP_ORDER);
        } else if (step == cycle - 1) {
            m = new Message(fill(ORU, key, "R"), Kind.IEP_RESULT);
        } else {
            m = new Message(fill(CBC, key + "C" + step, "C"), Kind.OTHER_RESULT);
        }
        if (++step == cycle) {
            step = 0;
            order++;
        }
        return m;
    }

    private static byte[] fill(String template, String key, String type) {
        // MSH-10 is ST(20): "B7QX" + connection + "X" + order + type stays well inside it.
        return template.replace("{ID}", key + type)
                .replace("{MRN}", "M" + key)
                .replace("{PLACER}", "P" + key)
                .replace("{FILLER}", "F" + key)
                .getBytes(StandardCharsets.US_ASCII);
    }
}
