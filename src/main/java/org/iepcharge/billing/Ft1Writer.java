package org.iepcharge.billing;

import java.util.List;

import ca.uhn.hl7v2.model.DataTypeException;
import ca.uhn.hl7v2.model.v251.segment.FT1;
import org.iepcharge.domain.ChargeDocument;
import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.CodedValue;
import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.FinancialTransaction;
import org.iepcharge.domain.OrderContext;

/**
 * Writes one FT1 per charge line or credit (docs/decision-contract.md §8; field meanings docs/billing-facts.md §4.2).
 */
final class Ft1Writer {
    /** Table 0396: C4 = CPT-4 [4.2]. */
    static final String CPT_CODING_SYSTEM = "C4";
    /** FT1-27 is coded from HL7 table 0339 (ABN status) [4.2]. */
    static final String ABN_CODING_SYSTEM = "HL70339";

    private final DftSettings settings;

    Ft1Writer(DftSettings settings) {
        this.settings = settings;
    }

    void write(FT1 ft1, int setId, FinancialTransaction transaction, ChargeDocument doc) throws DataTypeException {
        ChargeLine line = transaction.line();
        OrderContext context = doc.context();
        ft1.getSetIDFT1().setValue(Integer.toString(setId));
        // A credit carries the FT1-2 of the charge it reverses; (FT1-2, FT1-6) is the pair billing matches on.
        ft1.getTransactionID().setValue(line.transactionId());
        // FT1-4 start = specimen collection date, never the result date [2.3].
        ft1.getTransactionDate().getRangeStartDateTime().getTime().setValue(line.dateOfService());
        ft1.getTransactionPostingDate().getTime().setValue(doc.postedAt());
        ft1.getTransactionType().setValue(transaction.type().name());
        // FT1-7 is the billing system's chargemaster item, not necessarily the CPT [4.2].
        ft1.getTransactionCode().getIdentifier().setValue(line.chargeCode());
        ft1.getTransactionQuantity().setValue(Integer.toString(line.units()));
        Hl7Values.pl(ft1.getAssignedPatientLocation(), context.visit().location());
        writeDiagnoses(ft1, context.diagnoses());
        if (!line.performedBy().isEmpty()) {
            Hl7Values.xcn(ft1.getPerformedByCode(0), line.performedBy());
        }
        if (!context.orderingProvider().isEmpty()) {
            Hl7Values.xcn(ft1.getOrderedByCode(0), context.orderingProvider());
        }
        Hl7Values.ei(ft1.getFillerOrderNumber(), doc.fillerOrder());
        Hl7Values.ce(ft1.getProcedureCode(), new CodedValue(line.cpt(), line.description(), CPT_CODING_SYSTEM));
        writeModifiers(ft1, line.modifiers());
        if (!context.abnStatus().isEmpty()) {
            Hl7Values.ce(ft1.getAdvancedBeneficiaryNoticeCode(),
                    new CodedValue(context.abnStatus(), "", ABN_CODING_SYSTEM));
        }
    }

    private void writeDiagnoses(FT1 ft1, List<Diagnosis> diagnoses) throws DataTypeException {
        for (int i = 0; i < diagnoses.size(); i++) {
            Diagnosis d = diagnoses.get(i);
            Hl7Values.ce(ft1.getDiagnosisCodeFT1(i),
                    new CodedValue(d.code(), d.text(), DiagnosisCodingSystem.of(d, settings)));
        }
    }

    /** One repetition per modifier, in the order the rules wrote them (docs/decision-contract.md §5). */
    private static void writeModifiers(FT1 ft1, List<String> modifiers) throws DataTypeException {
        for (int i = 0; i < modifiers.size(); i++) {
            String modifier = modifiers.get(i);
            Hl7Values.ce(ft1.getProcedureCodeModifier(i),
                    new CodedValue(modifier, "", ModifierCodingSystems.of(modifier)));
        }
    }
}
