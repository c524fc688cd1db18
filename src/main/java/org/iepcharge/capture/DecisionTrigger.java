package org.iepcharge.capture;

import org.iepcharge.domain.MessageHeader;
import org.iepcharge.domain.OrderedTest;

/**
 * The test and message that triggered a decision, kept with a hold so that a later release or late order context
 * re-evaluates with the same facts (pathologist, performing lab, collection date).
 */
public record DecisionTrigger(MessageHeader header, OrderedTest test, String patientKey) {
}
