package org.iepcharge.capture;

import java.util.Optional;

import org.iepcharge.domain.LabMessage;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderedTest;

/**
 * One ORC/OBR group of a message, as the order and result events handle it: the message, the test as it names it,
 * the trigger its decision (or hold) keeps, the charge-master test it concerns, and the order context stored for it
 * before this message (with the numbers this message adds).
 */
record TestEvent(LabMessage message, OrderedTest test, DecisionTrigger trigger, TestRef ref,
                 Optional<OrderContext> stored) {

    String orderKey() {
        return ref.orderKey();
    }
}
