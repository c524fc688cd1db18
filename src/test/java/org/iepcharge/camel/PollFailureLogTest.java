package org.iepcharge.camel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class PollFailureLogTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final PollFailureLog log = new PollFailureLog(Duration.ofSeconds(60), now::get);

    @Test
    void firstFailureIsReportedThenOnlyCountedUntilTheIntervalPasses() {
        assertThat(log.failed("SQLException")).hasValueSatisfying(line -> assertThat(line)
                .startsWith("outbox poll failed (SQLException)").contains("one line per 60 s"));
        for (int i = 0; i < 99; i++) {
            now.addAndGet(Duration.ofMillis(500).toNanos());
            assertThat(log.failed("SQLException")).isEmpty();
        }
        now.set(1_000 + Duration.ofSeconds(60).toNanos());
        assertThat(log.failed("SQLException")).contains(
                "outbox polls still failing (SQLException): 100 more since the last line, 101 in all");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(log.failed("SQLException")).isEmpty();
    }

    @Test
    void recoveryIsReportedOnceWithTheCountAndANewOutageStartsAfresh() {
        assertThat(log.succeeded()).isEmpty();
        log.failed("SQLException");
        log.failed("SQLException");
        log.failed("SQLException");
        assertThat(log.succeeded()).contains("outbox polls succeed again after 3 failed poll(s)");
        assertThat(log.succeeded()).isEmpty();
        assertThat(log.failed("PSQLException")).hasValueSatisfying(line -> assertThat(line)
                .startsWith("outbox poll failed (PSQLException)"));
    }
}
