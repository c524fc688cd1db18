package org.iepcharge.edge;

import java.nio.charset.Charset;
import java.util.Map;

import org.iepcharge.domain.LabMessage;
import org.iepcharge.domain.MessageHeader;
import org.iepcharge.domain.Outcome;
import org.iepcharge.hl7.MshFields;

/**
 * One inbound frame after the edge: its raw bytes, its header (null when no MSH could be read), and either the parsed
 * message or the edge's verdict (a rejection, or "an ACK: never answered").
 *
 * @param keylessTests the AE 101 owed for each test (index in {@code message.tests()}) that names neither a placer
 *                     nor a filler number; owed only if the test is one we would charge, which capture decides
 *                     (recognition first: a test we never charge needs no order number)
 */
public record Inbound(byte[] raw, Charset charset, MshFields msh, MessageHeader header, LabMessage message,
                      Outcome verdict, Map<Integer, Outcome> keylessTests) {

    public Inbound {
        keylessTests = keylessTests == null ? Map.of() : Map.copyOf(keylessTests);
    }

    public Inbound(byte[] raw, Charset charset, MshFields msh, MessageHeader header, LabMessage message,
                   Outcome verdict) {
        this(raw, charset, msh, header, message, verdict, Map.of());
    }

    public boolean accepted() {
        return message != null;
    }
}
