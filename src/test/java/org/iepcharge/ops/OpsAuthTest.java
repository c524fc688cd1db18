package org.iepcharge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;

import org.iepcharge.config.EngineSettings.HttpSettings;
import org.iepcharge.config.PasswordHash;
import org.iepcharge.config.TlsSettings;
import org.iepcharge.ops.OpsAuth.Verdict;
import org.junit.jupiter.api.Test;

/** The console's sign-in throttle (docs/operating.md, "Signing in"), on a clock the test moves. */
class OpsAuthTest {
    private static final String PASSWORD = "correct horse battery";
    private static final HttpSettings SETTINGS = new HttpSettings(true, "127.0.0.1", 8575, "analyst",
            PasswordHash.hash(PASSWORD.toCharArray()), TlsSettings.OFF);

    /** A clock standing still until the test moves it. */
    private static final class TestClock extends Clock {
        private Instant now = Instant.parse("2026-12-06T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final OpsAuth auth = new OpsAuth(SETTINGS, clock);

    @Test
    void fiveWrongPasswordsInARowMakeTheAddressWaitThirtySecondsEvenForTheRightOne() {
        for (int i = 1; i <= 5; i++) {
            assertThat(auth.verify("10.0.0.9", "analyst", "guess" + i)).as("attempt " + i).isEqualTo(Verdict.REFUSED);
        }
        assertThat(auth.waitFor("10.0.0.9")).contains(Duration.ofSeconds(30));
        assertThat(auth.verify("10.0.0.9", "analyst", PASSWORD)).isEqualTo(Verdict.WAIT);

        clock.advance(Duration.ofSeconds(29));
        assertThat(auth.verify("10.0.0.9", "analyst", PASSWORD)).isEqualTo(Verdict.WAIT);
        clock.advance(Duration.ofSeconds(1));
        assertThat(auth.verify("10.0.0.9", "analyst", PASSWORD)).isEqualTo(Verdict.SIGNED_IN);
        // The right password reset the count: five more wrong ones before the next wait.
        for (int i = 1; i <= 4; i++) {
            assertThat(auth.verify("10.0.0.9", "analyst", "again" + i)).isEqualTo(Verdict.REFUSED);
        }
        assertThat(auth.waitFor("10.0.0.9")).isEmpty();
    }

    @Test
    void eachFurtherFailureDoublesTheWaitUpToFifteenMinutes() {
        for (int i = 1; i <= 5; i++) {
            auth.verify("10.0.0.9", "analyst", "guess" + i);
        }
        Duration expected = Duration.ofSeconds(30);
        for (int i = 0; i < 8; i++) {
            assertThat(auth.waitFor("10.0.0.9")).as("after failure " + (5 + i)).contains(expected);
            clock.advance(expected);
            assertThat(auth.verify("10.0.0.9", "analyst", "more")).isEqualTo(Verdict.REFUSED);
            expected = expected.multipliedBy(2).compareTo(Duration.ofMinutes(15)) > 0 ? Duration.ofMinutes(15)
                    : expected.multipliedBy(2);
        }
        assertThat(auth.waitFor("10.0.0.9")).contains(Duration.ofMinutes(15));
    }

    @Test
    void aGuesserElsewhereDoesNotLockOutTheAnalystNorAScraperAlreadyKnown() {
        String header = "Basic " + Base64.getEncoder().encodeToString(("analyst:" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        assertThat(auth.user("10.0.0.5", null, header)).contains("analyst");
        for (int i = 1; i <= 10; i++) {
            auth.verify("10.0.0.9", "analyst", "guess" + i);
            auth.verify("10.0.0.5", "analyst", "typo" + i);
        }
        assertThat(auth.verify("10.0.0.9", "analyst", PASSWORD)).isEqualTo(Verdict.WAIT);
        assertThat(auth.verify("10.0.0.7", "analyst", PASSWORD)).isEqualTo(Verdict.SIGNED_IN);
        // 10.0.0.5 must wait to sign in, but the Basic header it was served with before stays good.
        assertThat(auth.verify("10.0.0.5", "analyst", PASSWORD)).isEqualTo(Verdict.WAIT);
        assertThat(auth.user("10.0.0.5", null, header)).contains("analyst");
    }

    @Test
    void aWaitingAddressIsNotCheckedAtAllAndItsCountIsForgottenAfterFifteenQuietMinutes() {
        for (int i = 1; i <= 5; i++) {
            auth.verify("10.0.0.9", "analyst", "guess" + i);
        }
        // Attempts while waiting neither count nor extend the wait.
        for (int i = 0; i < 20; i++) {
            assertThat(auth.verify("10.0.0.9", "analyst", "hammer")).isEqualTo(Verdict.WAIT);
        }
        assertThat(auth.waitFor("10.0.0.9")).contains(Duration.ofSeconds(30));

        clock.advance(Duration.ofMinutes(16));
        auth.verify("10.0.0.8", "analyst", "other"); // any failure sweeps out counts not touched for 15 minutes
        for (int i = 1; i <= 4; i++) {
            assertThat(auth.verify("10.0.0.9", "analyst", "fresh" + i)).isEqualTo(Verdict.REFUSED);
        }
        assertThat(auth.waitFor("10.0.0.9")).as("a fresh count: four failures, no wait").isEmpty();
    }
}
