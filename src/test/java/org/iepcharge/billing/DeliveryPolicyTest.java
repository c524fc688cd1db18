package org.iepcharge.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every row of the delivery contract: what billing's answer means for one DFT, and how retries are spaced. */
class DeliveryPolicyTest {
    private static final String SENT = "DFT000001";
    private final DeliveryPolicy policy = new DeliveryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(1));

    private static Optional<BillingAnswer> answer(String code, String msa2, int err3) {
        return Optional.of(new BillingAnswer(code, msa2, err3, "reason"));
    }

    @ParameterizedTest(name = "{0} ERR-3 {1} -> {2}")
    @CsvSource({
            // accepted
            "AA, 0,   DELIVERED",
            "CA, 0,   DELIVERED",
            // an accept carrying an ERR segment (a warning) is still an accept
            "AA, 207, DELIVERED",
            // billing's own trouble: record locked, internal error
            "AE, 206, RETRY",
            "AE, 207, RETRY",
            "AR, 206, RETRY",
            "AR, 207, RETRY",
            "CE, 206, RETRY",
            "CE, 207, RETRY",
            "CR, 206, RETRY",
            "CR, 207, RETRY",
            // a refusal of this content: park with billing's reason
            "AE, 0,   PARK",
            "AE, 101, PARK",
            "AE, 103, PARK",
            "AE, 204, PARK",
            "AR, 0,   PARK",
            "AR, 200, PARK",
            "AR, 205, PARK",
            "AR, 208, PARK",
            "CE, 0,   PARK",
            "CE, 102, PARK",
            "CR, 0,   PARK",
            "CR, 203, PARK",
            // not an acknowledgment code at all: no usable answer, try again
            "XX, 0,   RETRY",
            "'', 0,   RETRY",
    })
    void classifiesAnAnswerForTheSentControlId(String code, int err3, DeliveryVerdict expected) {
        assertThat(policy.classify(SENT, answer(code, SENT, err3))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} for another MSH-10 -> RETRY")
    @CsvSource({"AA, 0", "CA, 0", "AE, 101", "AR, 207", "AR, 0", "CR, 0"})
    void anAnswerForAnotherControlIdIsNeverDeliveredNorParked(String code, int err3) {
        assertThat(policy.classify(SENT, answer(code, "DFT000002", err3))).isEqualTo(DeliveryVerdict.RETRY);
        assertThat(policy.classify(SENT, answer(code, "", err3))).isEqualTo(DeliveryVerdict.RETRY);
        // MSA-2 must equal MSH-10 exactly: no prefix, case or padding tolerance.
        assertThat(policy.classify(SENT, answer(code, "DFT00000", err3))).isEqualTo(DeliveryVerdict.RETRY);
        assertThat(policy.classify(SENT, answer(code, "dft000001", err3))).isEqualTo(DeliveryVerdict.RETRY);
    }

    @Test
    void noAnswerIsRetried() {
        assertThat(policy.classify(SENT, Optional.empty())).isEqualTo(DeliveryVerdict.RETRY);
    }

    @Test
    void backoffDoublesFromTheFirstDelayAndStopsAtTheCap() {
        assertThat(policy.retryDelay(0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.retryDelay(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.retryDelay(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.retryDelay(5)).isEqualTo(Duration.ofSeconds(32));
        assertThat(policy.retryDelay(6)).isEqualTo(Duration.ofMinutes(1));
        assertThat(policy.retryDelay(7)).isEqualTo(Duration.ofMinutes(1));
        // Retried for as long as it takes: a huge attempt count neither overflows nor goes below the cap.
        assertThat(policy.retryDelay(1_000)).isEqualTo(Duration.ofMinutes(1));
        assertThat(policy.retryDelay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(1));
        assertThat(policy.retryDelay(-3)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void backoffNeverDecreases() {
        Duration previous = Duration.ZERO;
        for (int attempts = 0; attempts < 100; attempts++) {
            Duration d = policy.retryDelay(attempts);
            assertThat(d).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(Duration.ofMinutes(1));
            previous = d;
        }
    }

    @Test
    void millisecondDelaysForTestsGrowAndCapTheSameWay() {
        DeliveryPolicy fast = new DeliveryPolicy(Duration.ofMillis(50), Duration.ofMillis(300));
        assertThat(fast.retryDelay(0)).isEqualTo(Duration.ofMillis(50));
        assertThat(fast.retryDelay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(fast.retryDelay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(fast.retryDelay(3)).isEqualTo(Duration.ofMillis(300));
        assertThat(fast.retryDelay(30)).isEqualTo(Duration.ofMillis(300));
    }
}
