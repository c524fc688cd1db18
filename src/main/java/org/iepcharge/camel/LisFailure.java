package org.iepcharge.camel;

import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;
import org.apache.camel.component.mllp.MllpInvalidAcknowledgementException;
import org.iepcharge.domain.Outcome;
import org.iepcharge.hl7.AckBuilder;
import org.iepcharge.hl7.Er7;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code lisFailure}, called by the shared error handling when anything unexpected escapes the inbound route:
 * the LIS still gets an answer (AR 207, resend later), never a dropped connection. Nothing was committed.
 */
public final class LisFailure {
    private static final Logger LOG = LoggerFactory.getLogger(LisFailure.class);
    private final AckBuilder acks;

    public LisFailure(AckBuilder acks) {
        this.acks = acks;
    }

    private static String origin(Throwable cause) {
        if (cause == null || cause.getStackTrace().length == 0) {
            return "unknown";
        }
        StackTraceElement top = cause.getStackTrace()[0];
        return top.getClassName() + "." + top.getMethodName() + ":" + top.getLineNumber();
    }

    public void process(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause instanceof MllpInvalidAcknowledgementException) {
            // camel-mllp (autoAck=false) reports every exchange that set no ACK, through a fresh exchange bridged to
            // this error handler after the socket turn is over. The engine sets none only for an inbound ACK, which
            // is deliberately never answered: nothing failed and there is nobody left to answer.
            LOG.debug("camel-mllp noted a message left unanswered on purpose (an inbound ACK)");
            return;
        }
        byte[] raw = exchange.getMessage().getBody(byte[].class);
        var msh = Er7.of(raw).msh().orElse(null);
        // Where it was thrown (class, method, line) helps find the fault; the exception's text may quote the message.
        LOG.error("{}: unexpected {} at {} in the inbound route; answered AR 207", msh == null ? "(no MSH)"
                : msh.controlId(), cause == null ? "failure" : cause.getClass().getSimpleName(), origin(cause));
        byte[] ack = acks.build(msh, Outcome.reject(207, "", "Application internal error; resend later"))
                .getBytes(StandardCharsets.ISO_8859_1);
        exchange.getMessage().setBody(ack);
        exchange.setProperty(LisInbound.MLLP_ACK, ack);
    }
}
