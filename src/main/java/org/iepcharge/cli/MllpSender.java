package org.iepcharge.cli;

import java.net.ConnectException;
import java.util.Objects;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.component.mllp.MllpAcknowledgementTimeoutException;
import org.apache.camel.component.mllp.MllpComponent;
import org.apache.camel.component.mllp.MllpException;
import org.apache.camel.component.mllp.MllpInvalidAcknowledgementException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.iepcharge.hl7.Er7;

/**
 * Sends HL7 messages one at a time with the camel-mllp producer, in a small embedded CamelContext, and reports the
 * ACK of each. The producer waits for each ACK before the next send, so the pipelining defect of the camel-mllp
 * 4.17.0 consumer does not apply here.
 */
public final class MllpSender implements AutoCloseable {
    /** Header camel-mllp fills with the raw ACK bytes. */
    private static final String ACK_HEADER = "CamelMllpAcknowledgement";

    private final CamelContext camel;
    private final ProducerTemplate template;
    private final String uri;

    public MllpSender(String host, int port, int timeoutMs) {
        Objects.requireNonNull(host, "host");
        camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName("iep-send");
        camel.setStartupSummaryLevel(StartupSummaryLevel.Off);
        MllpComponent mllp = new MllpComponent();
        // The component default logs message content (PHI) in exceptions and debug output. On the URI this option
        // stops the endpoint from starting, so it is set here.
        mllp.setLogPhi(false);
        camel.addComponent("mllp", mllp);
        camel.start();
        template = camel.createProducerTemplate();
        uri = "mllp:" + host + ":" + port + "?connectTimeout=" + timeoutMs + "&receiveTimeout=" + timeoutMs
                + "&readTimeout=" + timeoutMs;
    }

    /** Sends one message and waits for its ACK; never throws for transport or ACK problems. */
    public SendOutcome send(byte[] payload) {
        Exchange exchange = new DefaultExchange(camel, ExchangePattern.InOut);
        exchange.getMessage().setBody(payload);
        template.send(uri, exchange);

        Exception failure = exchange.getException();
        byte[] ack = exchange.getMessage().getHeader(ACK_HEADER, byte[].class);
        if (ack == null && failure instanceof MllpException mllp && mllp.hasHl7AcknowledgementBytes()) {
            ack = mllp.getHl7AcknowledgementBytes();
        }
        if (failure instanceof MllpAcknowledgementTimeoutException) {
            return SendOutcome.noAnswer("no ACK within the timeout", false);
        }
        if (ack == null || failure instanceof MllpInvalidAcknowledgementException) {
            if (failure != null && isConnectFailure(failure)) {
                return SendOutcome.noAnswer("cannot connect", true);
            }
            return SendOutcome.noAnswer(failure == null ? "no ACK" : describe(failure), false);
        }
        Er7 answer = Er7.of(ack);
        String code = answer.get("MSA-1").trim();
        if (code.isEmpty()) {
            return SendOutcome.noAnswer("answer has no MSA-1", false);
        }
        String errorCode = answer.get("ERR-3-1").trim();
        if (errorCode.isEmpty()) {
            errorCode = answer.get("ERR-1-4-1").trim();
        }
        return SendOutcome.answered(code, answer.field("MSA-2").trim(), errorCode);
    }

    private static boolean isConnectFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof java.net.UnknownHostException
                    || c instanceof java.net.NoRouteToHostException) {
                return true;
            }
        }
        return false;
    }

    /** A short reason without the exception message: camel-mllp texts can quote payload bytes. */
    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + " (" + root.getClass().getSimpleName() + ")";
    }

    @Override
    public void close() {
        try {
            template.close();
        } catch (Exception e) {
            // Closing a template only releases producers; nothing to report to the user.
        }
        camel.stop();
    }
}
