package org.iepcharge.rules;

import org.iepcharge.domain.MessageHeader;
import org.iepcharge.domain.OrderContext;

/** How {@code explain} names where an input came from: the message by type and MSH-10, never by patient. */
final class Sources {
    private final MessageHeader header;
    private final OrderContext context;

    Sources(MessageHeader header, OrderContext context) {
        this.header = header;
        this.context = context;
    }

    String thisMessage() {
        return "this " + header.type() + " with MSH-10 " + quoted(header.controlId());
    }

    String order() {
        return context == null ? "(no order context)" : "the order with MSH-10 " + quoted(context.sourceControlId());
    }

    static String quoted(String value) {
        return "\"" + value + "\"";
    }
}
