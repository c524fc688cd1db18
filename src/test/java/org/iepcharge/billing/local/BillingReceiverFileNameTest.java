package org.iepcharge.billing.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The file name of a received message is what {@code String.format("%06d-%s.hl7", …)} gave before. */
class BillingReceiverFileNameTest {
    @Test
    void namesAreTheFormattersForShortAndLongSequencesAndAnyControlId() {
        List<Long> sequences = List.of(0L, 1L, 9L, 10L, 12_345L, 99_999L, 100_000L, 999_999L, 1_000_000L,
                123_456_789L, Long.MAX_VALUE);
        List<String> controlIds = List.of("IEPDFT000000000001", "", "...", "a/../b", "A B\\C|D^E~F&G", "x".repeat(200),
                "DFT-1.2_3", "é漢");
        for (long seq : sequences) {
            for (String id : controlIds) {
                assertThat(BillingReceiver.fileName(seq, id)).as("%d %s", seq, id)
                        .isEqualTo(String.format("%06d-%s.hl7", seq, BillingReceiver.safeFileName(id)));
            }
        }
    }

    @Test
    void unsafeCharactersBecomeUnderscoresAndNothingNamesAPath() {
        assertThat(BillingReceiver.safeFileName("a/../b")).isEqualTo("a_.._b");
        assertThat(BillingReceiver.safeFileName("A B\\C|D")).isEqualTo("A_B_C_D");
        assertThat(BillingReceiver.safeFileName("..")).isEqualTo("no-control-id");
        assertThat(BillingReceiver.safeFileName("")).isEqualTo("no-control-id");
        assertThat(BillingReceiver.safeFileName("x".repeat(200))).hasSize(80);
    }
}
