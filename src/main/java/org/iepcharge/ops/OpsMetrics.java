package org.iepcharge.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.ledger.Ledger;
import org.iepcharge.ledger.OpsQueries;

/**
 * The ledger-backed gauges (outbox depth and oldest age, holds open by reason), refreshed from the ledger when
 * Prometheus scrapes, on the registry that holds the JVM's own meters ({@link JvmMeters}). The engine's counters and timers (messages in, ACK time, billing
 * attempts and answer time, ledger commits) are registered by the code that counts them, on the same registry.
 * Labels carry codes only (ACK code, disposition, message type, hold reason code), never message content.
 */
public final class OpsMetrics {
    private final Ledger ledger;
    private final PrometheusMeterRegistry registry;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();
    private final AtomicLong oldestAgeSeconds = new AtomicLong();
    private final MultiGauge holds;

    public OpsMetrics(Ledger ledger, PrometheusMeterRegistry registry, ChargeCapture capture) {
        this.ledger = ledger;
        this.registry = registry;
        Gauge.builder("iep.outbox.depth", pending, AtomicLong::get).tag("status", "PENDING")
                .description("DFTs waiting for billing").register(registry);
        Gauge.builder("iep.outbox.depth", parked, AtomicLong::get).tag("status", "PARKED")
                .description("DFTs waiting for billing").register(registry);
        Gauge.builder("iep.outbox.oldest.age", oldestAgeSeconds, AtomicLong::get).baseUnit("seconds")
                .description("age of the oldest undelivered DFT (0 when none)").register(registry);
        holds = MultiGauge.builder("iep.holds.open").description("open holds by reason code").register(registry);
        if (capture != null) {
            FunctionCounter.builder("iep.inbound.resends", capture, ChargeCapture::resends)
                    .description("resends answered with the stored answer, nothing reprocessed").register(registry);
        }
    }

    /** Reads the outbox and holds from the ledger (one read) into the gauges. */
    public void refresh() {
        record Snapshot(OpsQueries.OutboxState outbox, Map<String, Long> holds) {
        }
        Snapshot s = ledger.read(session -> new Snapshot(OpsQueries.outboxState(session),
                OpsQueries.openHoldsByReason(session)));
        pending.set(s.outbox().pending());
        parked.set(s.outbox().parked());
        oldestAgeSeconds.set(s.outbox().oldestUndelivered() == null ? 0
                : Math.max(0, Duration.between(s.outbox().oldestUndelivered(), Instant.now()).toSeconds()));
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        s.holds().forEach((reason, n) -> rows.add(MultiGauge.Row.of(Tags.of("reason", reason), n)));
        holds.register(rows, true);
    }

    /** Prometheus text, gauges refreshed first (a ledger that does not answer leaves the last values). */
    public String scrape() {
        try {
            refresh();
        } catch (RuntimeException e) {
            // The scrape still answers: health reports the ledger; the gauges keep their last values.
        }
        return registry.scrape();
    }

    public MeterRegistry registry() {
        return registry;
    }
}
