package org.iepcharge.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ResultStatusTest {

    @Test
    void everyValueOfTable0123IsKnownAndOnlyFinalAndCorrectedAreFinal() {
        // HL7 v2.5.1 table 0123, as listed in the standard.
        List<String> table = List.of("O", "I", "S", "A", "P", "R", "F", "C", "X", "Y", "Z");
        for (String code : table) {
            assertThat(ResultStatus.of(code)).as(code).isNotIn(ResultStatus.UNKNOWN, ResultStatus.NONE);
            assertThat(ResultStatus.of(code).isFinal()).as(code).isEqualTo(code.equals("F") || code.equals("C"));
        }
        assertThat(table.stream().map(ResultStatus::of).distinct()).as("one status per code").hasSize(table.size());
        assertThat(ResultStatus.of("X")).isEqualTo(ResultStatus.CANCELLED);
    }

    @Test
    void anEmptyStatusIsNoneAndAValueOutsideTheTableIsUnknown() {
        assertThat(ResultStatus.of("")).isEqualTo(ResultStatus.NONE);
        assertThat(ResultStatus.NONE.isFinal()).isFalse();
        assertThat(ResultStatus.of("Q")).isEqualTo(ResultStatus.UNKNOWN);
        assertThat(ResultStatus.of("f")).as("codes are case-sensitive, as HL7 sends them").isEqualTo(
                ResultStatus.UNKNOWN);
        assertThat(ResultStatus.of(null)).isEqualTo(ResultStatus.UNKNOWN);
    }
}
