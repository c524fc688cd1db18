package org.iepcharge.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.iepcharge.domain.Insurance;
import org.iepcharge.domain.LineKind;
import org.junit.jupiter.api.Test;

/** Payer resolution of docs/decision-contract.md §1 and what {@code explain} shows. */
class PayerAndTraceTest {

    private static String payerOf(List<Insurance> insurance) {
        Scenario s = new Scenario();
        Decision decision = new ChargeDecider(s.rules()).decide(withInsurance(s, insurance));
        return decision.trace().stream().filter(t -> t.rule().equals("payer")).findFirst().orElseThrow().outcome();
    }

    private static DecisionInput withInsurance(Scenario s, List<Insurance> insurance) {
        DecisionInput in = s.input();
        var c = in.context();
        var context = new org.iepcharge.domain.OrderContext(c.key(), c.patient(), c.visit(), insurance,
                c.diagnoses(), c.abnStatus(), c.orderingProvider(), c.sourceControlId());
        return new DecisionInput(in.test(), context, in.header(), in.patient(), in.history());
    }

    @Test
    void theLowestIn122IsPrimaryWhateverTheSegmentOrder() {
        assertThat(payerOf(List.of(new Insurance(1, 2, "87726", "", "", "", ""),
                new Insurance(2, 1, "00430", "", "", "", "")))).startsWith("payer MEDICARE");
    }

    @Test
    void withoutIn122TheFirstIn1IsPrimary() {
        assertThat(payerOf(List.of(new Insurance(1, null, "87726", "", "", "", ""),
                new Insurance(2, null, "00430", "", "", "", "")))).startsWith("payer UHC");
    }

    @Test
    void theCompanyIdDecidesBeforeThePlanId() {
        assertThat(payerOf(List.of(new Insurance(1, null, "62308", "00430", "", "", "")))).startsWith("payer CIGNA");
        assertThat(payerOf(List.of(new Insurance(1, null, "", "00430", "", "", "")))).startsWith("payer MEDICARE");
    }

    @Test
    void aNameMatchesOnlyThroughNameRows() {
        // "MEDICARE" as IN1-4 is not a name row of the shipped map: the unknown ID makes it OTHER, never MEDICARE.
        assertThat(payerOf(List.of(new Insurance(1, null, "12345", "", "MEDICARE", "", "")))).startsWith("payer OTHER");
        assertThat(payerOf(List.of(new Insurance(1, null, "12345", "", "blue cross blue shield", "", ""))))
                .startsWith("payer BCBS");
    }

    @Test
    void anIn1WithNothingUsableLeavesThePayerUnknown() {
        assertThat(payerOf(List.of(new Insurance(1, null, "", "", "ACME", "", "")))).startsWith("unknown");
    }

    @Test
    void explainNamesEachInputAndItsSource() {
        Scenario s = new Scenario();
        s.referred();
        s.abn = "2";
        s.diagnoses(new org.iepcharge.domain.Diagnosis("R77.1", "", "I10", "F"));

        Decision decision = s.decide();

        assertThat(decision.trace()).extracting(TraceEntry::rule).contains("charge master", "result status",
                "date of service", "ordering provider", "payer", "inpatient", "performing lab", "professional line",
                "referred test (90)", "technical component (TC)", "same-day repeat", "MUE", "ABN",
                "distinct service (59/X)");
        assertThat(decision.trace()).anySatisfy(t -> {
            assertThat(t.rule()).isEqualTo("payer");
            assertThat(t.saw()).startsWith("IN1-3 \"00430\" of the order with MSH-10 \"O17\"");
            assertThat(t.outcome()).startsWith("payer MEDICARE");
        });
        assertThat(decision.trace()).anySatisfy(t -> {
            assertThat(t.rule()).isEqualTo("referred test (90)");
            assertThat(t.outcome()).isEqualTo("90 on the technical line");
            assertThat(t.fact()).isEqualTo("[2.1, 2.4]");
        });
        assertThat(decision.trace()).anySatisfy(t -> {
            assertThat(t.rule()).isEqualTo("ABN");
            assertThat(t.saw()).startsWith("ORC-20 \"2\" of the order with MSH-10 \"O17\"");
            assertThat(t.outcome()).isEqualTo("GA on every line");
        });
        assertThat(decision.lines()).singleElement()
                .satisfies(l -> assertThat(l.line().modifiers()).containsExactly("90", "GA"));
    }

    @Test
    void explainCarriesNoPatientIdentity() {
        Scenario s = new Scenario();
        s.postedBefore("P99", "202503010800", 1);
        s.interpretedByOurPathologist();

        List<String> texts = new ArrayList<>();
        Decision decision = s.decide();
        decision.trace().forEach(t -> texts.add(t.toString()));
        decision.lines().forEach(l -> texts.add(l.isHeld() ? l.hold().text() : ""));

        assertThat(texts).noneMatch(t -> t.contains("MRN1") || t.contains("TEST") || t.contains("19500101")
                || t.contains("PATH,") || t.contains("PATIENT"));
    }

    @Test
    void modifierCodingSystemsForFt126() {
        assertThat(List.of("26", "90", "91", "59")).allSatisfy(m ->
                assertThat(ChargeDecider.modifierCodingSystem(m)).isEqualTo("CPTM"));
        assertThat(List.of("TC", "GA", "GZ", "GY", "XE", "XS", "XP", "XU")).allSatisfy(m ->
                assertThat(ChargeDecider.modifierCodingSystem(m)).isEqualTo("HCPCS"));
        assertThatThrownBy(() -> ChargeDecider.modifierCodingSystem("QW"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHeldLineStillShowsWhatWasDecided() {
        Scenario s = new Scenario();
        s.hasContext = false;

        DecidedLine line = s.decide().lines().get(0);

        assertThat(line.line().kind()).isEqualTo(LineKind.T);
        assertThat(line.line().cpt()).isEqualTo("86320");
        assertThat(line.hold().text()).startsWith("payer unknown: ");
    }
}
