package org.iepcharge.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.iepcharge.hl7.Er7;

/** A minimal AA for the baselines and the billing stand-in: MSA-2 echoes the inbound MSH-10, nothing else is read. */
final class EchoAck {
    private EchoAck() {
    }

    static byte[] ack(byte[] message) {
        String controlId = Er7.of(message).field("MSH-10");
        return ("MSH|^~\\&|BENCH|BENCH|LIS|MAINLAB|20261121100000||ACK|A" + controlId + "|P|2.5.1\rMSA|AA|"
                + controlId + "\r").getBytes(StandardCharsets.US_ASCII);
    }

    /** MSA-1 of an ACK ("" when there is no MSA segment). */
    static String msa1(byte[] ack, int length) {
        return Er7.of(length == ack.length ? ack : Arrays.copyOf(ack, length)).get("MSA-1");
    }
}
