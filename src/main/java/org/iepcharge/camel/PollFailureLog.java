package org.iepcharge.camel;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Decides which failed outbox polls are worth a log line. While the ledger is unreachable every poll of every billing
 * connection fails the same way, several times a second; one WARN when the failures start, then one per interval with
 * the number of failures since, and one line when a poll succeeds again, tell an operator as much without flooding the
 * log. Thread-safe: the routes of all billing connections share one instance.
 */
final class PollFailureLog {
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private boolean failing;
    private long lastReportedAt;
    private long unreported;
    private long total;

    PollFailureLog(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /** A poll failed with {@code cause}; returns the WARN text to log, or empty when this failure is only counted. */
    synchronized Optional<String> failed(String cause) {
        long now = nanoClock.getAsLong();
        total++;
        if (!failing) {
            failing = true;
            lastReportedAt = now;
            unreported = 0;
            return Optional.of("outbox poll failed (" + cause + "); further failures are counted, one line per "
                    + Duration.ofNanos(intervalNanos).toSeconds() + " s");
        }
        unreported++;
        if (now - lastReportedAt < intervalNanos) {
            return Optional.empty();
        }
        String line = "outbox polls still failing (" + cause + "): " + unreported + " more since the last line, "
                + total + " in all";
        lastReportedAt = now;
        unreported = 0;
        return Optional.of(line);
    }

    /** A poll succeeded; returns the INFO text to log when it ends a run of failures. */
    synchronized Optional<String> succeeded() {
        if (!failing) {
            return Optional.empty();
        }
        String line = "outbox polls succeed again after " + total + " failed poll(s)";
        failing = false;
        total = 0;
        unreported = 0;
        return Optional.of(line);
    }
}
