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
 * The operator side's Prometheus registry with the JVM's own meters bound (memory, GC, threads, classes, CPU,
 * uptime). It needs nothing of the engine's, so the engine makes it on a start-up thread of its own, beside the rules
 * and the ledger's migration (docs/operating.md "Start-up"); {@link OpsServer} then adds the engine's meters and the
 * ledger's gauges to it. Closing it stops the GC notifications and the registry.
 */
public record JvmMeters(PrometheusMeterRegistry registry, JvmGcMetrics gc) implements AutoCloseable {

    /** A new registry with the JVM's meters bound. */
    public static JvmMeters bind() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        JvmGcMetrics gc = new JvmGcMetrics();
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return new JvmMeters(registry, gc);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
