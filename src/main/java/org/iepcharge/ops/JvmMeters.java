package org.iepcharge.ops;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The operator side's Prometheus registry and the JVM's own meters on it (memory, GC, threads, classes, CPU,
 * uptime). The registry needs nothing of the engine's, so the engine makes it on a start-up thread of its own, beside
 * the rules and the ledger's migration; {@link OpsServer} adds the engine's meters and the ledger's gauges to it. The
 * JVM's meters are bound only once the LIS listener is open ({@link #bindJvm}, from {@link OpsServer#started}, before
 * the HTTP server serves {@code /metrics}): nothing needs them to take a message (docs/operating.md "Start-up").
 * Closing it stops the GC notifications and the registry.
 */
public final class JvmMeters implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    // Guarded by "this".
    private JvmGcMetrics gc;
    private boolean closed;

    private JvmMeters(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** A new registry, without the JVM's meters yet. */
    public static JvmMeters create() {
        return new JvmMeters(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Binds the JVM's meters (once). */
    public synchronized void bindJvm() {
        if (gc != null || closed) {
            return;
        }
        gc = new JvmGcMetrics();
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }
}
