package org.iepcharge.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.iepcharge.domain.ChargeDocument;
import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.FinancialTransaction;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.Patient;
import org.iepcharge.domain.PersonName;
import org.iepcharge.domain.Provider;
import org.iepcharge.domain.TransactionType;
import org.iepcharge.domain.Visit;
import org.junit.jupiter.api.Test;

/** {@link DftFacts} reads a hand-written DFT^P03 (v2.5 and v2.5.1) into the fields of docs/decision-contract.md §8. */
class DftFactsTest {

    private static final String DFT = String.join("\r",
            "MSH|^~\\&|IEPCHARGE|OURLAB|BILLING|HOSPITAL|20240315101500||DFT^P03^DFT_P03|DFT0000001|P|2.5",
            "EVN|P03|20240315101500",
            "PID|||MRN123^^^HOSP^MR||Müller^Anna^B||19450607|F",
            "PV1||O|LABDRAW^12^B^MAIN||||||||||||||||V555",
            "FT1|1|T1||20240314083000|20240315101500|CG|CDM-86320|||1||||||LABDRAW^12^B^MAIN|||"
                    + "D47.2^Monoclonal gammopathy^I10||1234567893^Smith^Jane^Q^^^^^NPI||F-1001^LIS||"
                    + "86320^Immunoelectrophoresis, serum^C4||2^^HL70339",
            "FT1|2|P1||20240314083000|20240315101500|CD|CDM-86320P|||1||||||LABDRAW^12^B^MAIN|||"
                    + "D47.2^Monoclonal gammopathy^I10|9876543210^Path^Paul^^^^^^NPI|1234567893^Smith^Jane^Q^^^^^NPI"
                    + "||F-1001^LIS||86320^Immunoelectrophoresis, serum^C4|26^^CPTM~GA^^HCPCS|2^^HL70339",
            "DG1|1||D47.2^Monoclonal gammopathy^I10|||F",
            "IN1|1|MEDB|MCR01|Medicare \\T\\ Co||||GRP9||||||||||||||1||||||||||||||POL1",
            "");

    @Test
    void readsHeaderPatientAndVisit() {
        DftFacts dft = DftFacts.read(DFT);
        assertThat(dft.segments()).containsExactly("MSH", "EVN", "PID", "PV1", "FT1", "FT1", "DG1", "IN1");
        assertThat(dft.msh()).isEqualTo(new DftFacts.Msh("IEPCHARGE", "OURLAB", "BILLING", "HOSPITAL",
                "20240315101500", "DFT^P03^DFT_P03", "DFT0000001", "P", "2.5", "", ""));
        assertThat(dft.evn()).isEqualTo(new DftFacts.Evn("P03", "20240315101500"));
        assertThat(dft.pid()).isEqualTo(new DftFacts.Pid(List.of("MRN123^^^HOSP^MR"), "Müller^Anna^B", "19450607",
                "F"));
        assertThat(dft.pv1()).isEqualTo(new DftFacts.Pv1("O", "LABDRAW^12^B^MAIN", "V555"));
    }

    @Test
    void readsFt1FieldsAndFindsTheCreditByItsPair() {
        DftFacts dft = DftFacts.read(DFT);
        assertThat(dft.ft1s()).hasSize(2);
        assertThat(dft.ft1("T1", "CG")).isEqualTo(new DftFacts.Ft1("1", "T1", "20240314083000", "20240315101500",
                "CG", "CDM-86320", "1", "LABDRAW^12^B^MAIN", List.of("D47.2^Monoclonal gammopathy^I10"), List.of(),
                List.of("1234567893^Smith^Jane^Q^^^^^NPI"), "F-1001^LIS", "86320^Immunoelectrophoresis, serum^C4",
                List.of(), "2^^HL70339"));
        DftFacts.Ft1 credit = dft.ft1("P1", "CD");
        assertThat(credit.performedBy()).containsExactly("9876543210^Path^Paul^^^^^^NPI");
        assertThat(credit.modifiers()).containsExactly("26^^CPTM", "GA^^HCPCS");
    }

    @Test
    void readsDg1AndIn1KeepingEscapes() {
        DftFacts dft = DftFacts.read(DFT);
        assertThat(dft.dg1s()).containsExactly(new DftFacts.Dg1("1", "D47.2^Monoclonal gammopathy^I10", "F"));
        assertThat(dft.in1s()).containsExactly(
                new DftFacts.In1("1", "MEDB", "MCR01", "Medicare \\T\\ Co", "GRP9", "1", "POL1"));
    }

    @Test
    void acceptsLfSeparatedText() {
        assertThat(DftFacts.read(DFT.replace("\r", "\n"))).isEqualTo(DftFacts.read(DFT));
    }

    @Test
    void readsWhatTheBuilderWrites() {
        ChargeLine line = new ChargeLine("P9", LineKind.P, "86320", "IEP", "CDM-P", 1, List.of("26", "GY"),
                "20240314", new Provider("77", new PersonName("Path", "", ""), "NPI"));
        OrderContext context = new OrderContext(new OrderKey(EntityId.NONE, new EntityId("F9", "LIS")), Patient.NONE, Visit.NONE, List.of(),
                List.of(new Diagnosis("Z00.00", "", "I10", "")), "", Provider.NONE, "");
        String er7 = new DftBuilder(new DftSettings("A", "B", "C", "D")).build(new ChargeDocument("C1", "D",
                "20240315", context, new EntityId("F9", "LIS"), List.of(new FinancialTransaction(TransactionType.CD,
                line))));

        DftFacts dft = DftFacts.read(er7);
        assertThat(dft.msh().controlId()).isEqualTo("C1");
        assertThat(dft.msh().processingId()).isEqualTo("D");
        assertThat(dft.ft1("P9", "CD")).isEqualTo(new DftFacts.Ft1("1", "P9", "20240314", "20240315", "CD", "CDM-P",
                "1", "", List.of("Z00.00^^I10"), List.of("77^Path^^^^^^^NPI"), List.of(), "F9^LIS", "86320^IEP^C4",
                List.of("26^^CPTM", "GY^^HCPCS"), ""));
        assertThat(dft.dg1s()).containsExactly(new DftFacts.Dg1("1", "Z00.00^^I10", "F"));
        assertThat(dft.in1s()).isEmpty();
    }
}
