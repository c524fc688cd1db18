package org.iepcharge.ops;

import java.util.Properties;

import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.iepcharge.config.EngineSettings;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.rules.RuleSet;

/**
 * Wires the operator side into camel-main: the embedded HTTP server (camel.server.*) with the management side on the
 * same port (camel.management.*: health), camel-micrometer-prometheus for Camel's own meters on the registry the
 * engine counts on, the engine's health checks, and {@link OpsRoutes}. The engine calls {@link #prepare} before
 * starting camel-main and {@link #started} after: the HTTP server starts there, behind the LIS listener.
 */
public final class OpsServer implements AutoCloseable {
    /** The LIS route's id in routes/lis-inbound.camel.yaml: readiness needs it started. */
    public static final String LIS_ROUTE = "lis-inbound";

    private final EngineSettings settings;
    private final JdbcLedger ledger;
    private final RuleSet rules;
    private final JvmMeters jvm;
    private final PrometheusMeterRegistry prometheus;
    private OpsMetrics metrics;
    /** camel-main's HTTP servers, held back until {@link #started} (docs/operating.md "Start-up"). */
    private final DeferredHttpServers servers = new DeferredHttpServers();
    /** The console's routes: added with the servers they run on, in {@link #started}. */
    private OpsRoutes routes;

    private OpsServer(EngineSettings settings, JdbcLedger ledger, RuleSet rules, JvmMeters jvm) {
        this.settings = settings;
        this.ledger = ledger;
        this.rules = rules;
        this.jvm = jvm;
        this.prometheus = jvm.registry();
    }

    /**
     * Adds the Prometheus registry of {@code jvm} to the engine's meters (before anything registers a meter, so every
     * one is exported) and instruments the ledger's commits. The server closes {@code jvm}.
     */
    public static OpsServer prepare(EngineSettings settings, JdbcLedger ledger, RuleSet rules,
                                    CompositeMeterRegistry meters, JvmMeters jvm) {
        meters.add(jvm.registry());
        ledger.instrument(meters);
        return new OpsServer(settings, ledger, rules, jvm);
    }

    /** Binds the beans and routes and returns the camel-main properties, to be added to the engine's. */
    public Properties configure(Main main, ChargeCapture capture) {
        EngineSettings.HttpSettings http = settings.http();
        metrics = new OpsMetrics(ledger, prometheus, capture);
        // camel-micrometer-prometheus adopts the registry bound under this name instead of making its own.
        main.bind("metricsRegistry", prometheus);
        // camel-main takes the HTTP servers from this factory and starts nothing: they start in started().
        main.bind("iepDeferredHttpServers", servers);
        OpsAuth auth = new OpsAuth(http);
        OpsApi api = new OpsApi(settings, ledger, rules, metrics.registry());
        routes = new OpsRoutes(auth, api, metrics, http.tls().enabled());
        if (http.tls().enabled()) {
            // The embedded server takes its TLS from the context's global SSL parameters (useGlobalSslContextParameters).
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void beforeConfigure(BaseMainSupport m) {
                    m.getCamelContext().setSSLContextParameters(http.tls().contextParameters());
                }
            });
        }
        Properties p = new Properties();
        String port = String.valueOf(http.port());
        p.setProperty("camel.server.enabled", "true");
        p.setProperty("camel.server.host", http.host());
        p.setProperty("camel.server.port", port);
        p.setProperty("camel.server.useGlobalSslContextParameters", String.valueOf(http.tls().enabled()));
        // The management side shares the port (camel-platform-http-main reuses the server when the ports match).
        p.setProperty("camel.management.enabled", "true");
        p.setProperty("camel.management.host", http.host());
        p.setProperty("camel.management.port", port);
        p.setProperty("camel.management.useGlobalSslContextParameters", String.valueOf(http.tls().enabled()));
        p.setProperty("camel.management.healthCheckEnabled", "true");
        // /metrics is served by OpsRoutes behind authentication, not by the management side's open endpoint.
        p.setProperty("camel.management.metricsEnabled", "false");
        p.setProperty("camel.metrics.enabled", "true");
        // Camel's route policy (camel_exchanges_total/_failed_total per route, docs/operating.md) stays. Its exchange
        // event notifier goes: per-endpoint timers that nothing reads, bought with an event and meter lookups on every
        // exchange — 5 % of the inbound route thread's CPU, more than the route policy (BENCHMARKS.md, "ACK latency
        // by stage").
        p.setProperty("camel.metrics.enableExchangeEventNotifier", "false");
        // Per route only: the default level ("all") also keeps a context-wide copy of the same counters and timers,
        // updated on every exchange next to the route's own — half of the route policy's cost on the inbound thread
        // (BENCHMARKS.md, "LIS route thread, second pass"). The per-route series (docs/operating.md) are unchanged.
        p.setProperty("camel.metrics.routePolicyLevel", "route");
        p.setProperty("camel.health.exposureLevel", "full");
        return p;
    }

    /**
     * Once Camel runs with the LIS listener open: registers the engine's health checks, then starts the HTTP server
     * and its management side (health) and adds the console's routes. The checks come first, so the first health
     * answer already includes the ledger, the LIS listener and the rules; the server comes after the LIS listener, so
     * its start no longer holds the listener up (docs/operating.md "Start-up").
     */
    public void started(CamelContext context) throws Exception {
        jvm.bindJvm();
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        for (HealthCheck check : OpsHealth.checks(ledger, OpsHealth.ledgerFile(settings.ledgerUrl()), LIS_ROUTE,
                () -> rules)) {
            if (check instanceof org.apache.camel.CamelContextAware aware) {
                aware.setCamelContext(context);
            }
            registry.register(check);
        }
        servers.start(context);
        // platform-http consumers find their router when they are made: only once the server has started.
        context.addRoutes(routes);
    }

    public OpsMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        jvm.close();
    }
}
