package org.iepcharge.billing;

import java.util.HashSet;
import java.util.Set;

import org.iepcharge.domain.ChargeDocument;
import org.iepcharge.domain.FinancialTransaction;

/**
 * Refuses a document that cannot be written as docs/decision-contract.md §8 requires, before anything is built. The
 * lengths are HL7 limits the billing system may enforce by truncating, which would break credit matching silently.
 * Exception messages name fields and lengths, never patient data.
 */
final class DftDocumentChecks {
    private DftDocumentChecks() {
    }

    static void check(ChargeDocument doc) {
        String controlId = doc.controlId() == null ? "" : doc.controlId();
        if (controlId.isBlank()) {
            throw new IllegalArgumentException("MSH-10 (control ID) is empty");
        }
        if (controlId.length() > DftBuilder.MAX_CONTROL_ID_LENGTH) {
            throw new IllegalArgumentException("MSH-10 (control ID) has " + controlId.length()
                    + " characters; at most " + DftBuilder.MAX_CONTROL_ID_LENGTH
                    + " allowed (docs/decision-contract.md §8)");
        }
        if (doc.context() == null) {
            throw new IllegalArgumentException("The document has no order context (PID, PV1 come from it)");
        }
        if (doc.transactions().isEmpty()) {
            throw new IllegalArgumentException("A DFT^P03 needs at least one FT1 [4.1]");
        }
        Set<String> pairs = new HashSet<>();
        for (FinancialTransaction t : doc.transactions()) {
            if (t == null || t.type() == null || t.line() == null) {
                throw new IllegalArgumentException("A financial transaction without type or line");
            }
            String id = t.line().transactionId();
            if (id.isEmpty()) {
                throw new IllegalArgumentException("FT1-2 (transaction ID) is empty");
            }
            if (id.length() > DftBuilder.MAX_TRANSACTION_ID_LENGTH) {
                throw new IllegalArgumentException("FT1-2 (transaction ID) '" + id + "' has " + id.length()
                        + " characters; at most " + DftBuilder.MAX_TRANSACTION_ID_LENGTH
                        + " allowed (docs/decision-contract.md §8)");
            }
            // (FT1-2, FT1-6) is what billing matches a credit to its charge on; it must be unique
            // (docs/decision-contract.md §8).
            if (!pairs.add(id + "|" + t.type())) {
                throw new IllegalArgumentException("FT1-2 '" + id + "' appears twice with FT1-6 " + t.type());
            }
            t.line().modifiers().forEach(ModifierCodingSystems::of);
        }
    }
}
