package org.iepcharge.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.component.platform.http.main.DefaultMainHttpServerFactory;
import org.apache.camel.main.HttpManagementServerConfigurationProperties;
import org.apache.camel.main.HttpServerConfigurationProperties;
import org.apache.camel.main.MainHttpServerFactory;
import org.apache.camel.support.service.ServiceSupport;

/**
 * camel-main's embedded HTTP server (console, API, {@code /metrics}) and its management side (health), started only
 * when the engine says so — after the LIS listener is open — instead of at the start of the context, ahead of every
 * route (docs/operating.md "Start-up").
 *
 * <p>camel-main asks the registry for a {@link MainHttpServerFactory} before its own
 * ({@code BaseMainSupport.resolveMainHttpServerFactory}, Camel 4.17.0). Bound there, this one hands camel-main an empty
 * service for each server, so nothing starts with the context, and keeps the configuration camel-main read from the
 * {@code camel.server.*} and {@code camel.management.*} properties. {@link #start} then makes the servers with
 * camel-platform-http-main's own factory from that same configuration, in camel-main's order (the server, then the
 * management side, which shares its port), and adds them to the running context, which starts them at once and stops
 * them with it.
 */
final class DeferredHttpServers implements MainHttpServerFactory {
    private final DefaultMainHttpServerFactory servers = new DefaultMainHttpServerFactory();
    private HttpServerConfigurationProperties server;
    private HttpManagementServerConfigurationProperties management;

    @Override
    public synchronized Service newHttpServer(CamelContext context, HttpServerConfigurationProperties configuration) {
        server = configuration;
        return new Placeholder();
    }

    @Override
    public synchronized Service newHttpManagementServer(CamelContext context,
                                                        HttpManagementServerConfigurationProperties configuration) {
        management = configuration;
        return new Placeholder();
    }

    /** Makes and starts the servers camel-main asked for, in its order; the context stops them. */
    synchronized void start(CamelContext context) throws Exception {
        servers.setCamelContext(context);
        if (server != null) {
            context.addService(servers.newHttpServer(context, server), true, true);
        }
        if (management != null) {
            context.addService(servers.newHttpManagementServer(context, management), true, true);
        }
    }

    /** What camel-main adds to the context in a server's place: nothing to start or stop. */
    private static final class Placeholder extends ServiceSupport {
    }
}
