package org.iepcharge.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing at the console (docs/operating.md, "Signing in"). Each client address may get its
 * password wrong {@value #FREE_FAILURES} times in a row; then it must wait {@link #FIRST_WAIT} before its next attempt
 * is even checked, and twice as long after each further failure, up to {@link #LONGEST_WAIT}. A right password resets
 * the count. Keyed by address, so a guesser elsewhere cannot lock the analyst out; an attempt refused for waiting
 * costs no key derivation.
 */
final class SignInThrottle {
    static final int FREE_FAILURES = 5;
    static final Duration FIRST_WAIT = Duration.ofSeconds(30);
    static final Duration LONGEST_WAIT = Duration.ofMinutes(15);
    /** A client's count is forgotten this long after its last failure. */
    static final Duration MEMORY = Duration.ofMinutes(15);

    private record Failures(int count, Instant last, Instant waitUntil) {
    }

    private final Map<String, Failures> clients = new ConcurrentHashMap<>();
    private final Clock clock;

    SignInThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long {@code client} must still wait before an attempt is checked; empty when it may try now. */
    Optional<Duration> waitFor(String client) {
        Failures f = clients.get(client);
        Instant now = clock.instant();
        if (f == null || !now.isBefore(f.waitUntil())) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, f.waitUntil()));
    }

    void failed(String client) {
        Instant now = clock.instant();
        clients.values().removeIf(f -> f.last().plus(MEMORY).isBefore(now));
        clients.compute(client, (k, f) -> {
            int count = f == null ? 1 : f.count() + 1;
            return new Failures(count, now, now.plus(wait(count)));
        });
    }

    void succeeded(String client) {
        clients.remove(client);
    }

    /** The wait after the {@code count}th failure in a row. */
    static Duration wait(int count) {
        if (count < FREE_FAILURES) {
            return Duration.ZERO;
        }
        Duration d = FIRST_WAIT.multipliedBy(1L << Math.min(count - FREE_FAILURES, 20));
        return d.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : d;
    }
}
