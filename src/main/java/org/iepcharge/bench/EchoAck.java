package org.iepcharge.bench;

import java.nio.charset.StandardCharsets;

/** A minimal AA for the baselines and the billing stand-in: MSA-2 echoes the inbound MSH-10, nothing else is read. */
final class EchoAck {
    private EchoAck() {
    }

    static byte[] ack(byte[] message) {
        String controlId = field(message, 10);
        return ("MSH|^~\\&|BENCH|BENCH|LIS|MAINLAB|20261121100000||ACK|A" + controlId + "|P|2.5.1\rMSA|AA|"
                + controlId + "\r").getBytes(StandardCharsets.US_ASCII);
    }

    /** MSH-n (n counted as HAPI does, MSH-1 being the separator) of the first segment; "" when absent. */
    static String field(byte[] message, int n) {
        if (message == null || message.length < 4) {
            return "";
        }
        byte sep = message[3];
        int field = 1;
        int start = -1;
        int i = 3;
        for (; i < message.length; i++) {
            byte b = message[i];
            if (b == '\r' || b == '\n') {
                break;
            }
            if (b == sep) {
                field++;
                if (field == n) {
                    start = i + 1;
                } else if (field == n + 1) {
                    return new String(message, start, i - start, StandardCharsets.US_ASCII);
                }
            }
        }
        return start < 0 ? "" : new String(message, start, i - start, StandardCharsets.US_ASCII);
    }

    /** MSA-1 of an ACK ("" when there is no MSA segment). */
    static String msa1(byte[] ack, int length) {
        for (int i = 0; i + 6 <= length; i++) {
            if ((i == 0 || ack[i - 1] == '\r' || ack[i - 1] == '\n') && ack[i] == 'M' && ack[i + 1] == 'S'
                    && ack[i + 2] == 'A' && ack[i + 3] == '|') {
                return new String(ack, i + 4, 2, StandardCharsets.US_ASCII);
            }
        }
        return "";
    }
}
