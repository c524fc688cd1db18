package org.iepcharge.rules;

import org.iepcharge.domain.MessageHeader;
import org.iepcharge.domain.OrderContext;

/** How {@code explain} names where an input came from: the message by type and MSH-10, never by patient. */
final class Sources {
    private final OrderContext context;
    /** Named in most trace entries of a decision: built once per decision, not per entry. */
    private final String thisMessage;

    Sources(MessageHeader header, OrderContext context) {
        this.context = context;
        this.thisMessage = "this " + header.type() + " with MSH-10 " + quoted(header.controlId());
    }

    String thisMessage() {
        return thisMessage;
    }

    String order() {
        return context == null ? "(no order context)" : "the order with MSH-10 " + quoted(context.sourceControlId());
    }

    static String quoted(String value) {
        return "\"" + value + "\"";
    }
}
