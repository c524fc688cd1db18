package org.iepcharge.edge;

import org.iepcharge.domain.LabMessage;
import org.iepcharge.domain.MessageHeader;
import org.iepcharge.domain.Outcome;

/**
 * One inbound frame after the edge: its raw bytes, its header (null when no MSH could be read), and either the parsed
 * message or the edge's verdict (a rejection, or "an ACK: never answered").
 */
public record Inbound(byte[] raw, java.nio.charset.Charset charset, MshFields msh, MessageHeader header, LabMessage message, Outcome verdict) {

    public boolean accepted() {
        return message != null;
    }
}
