package org.iepcharge.ops;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.net.SocketAddress;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator side's HTTP routes, on camel-main's embedded server (platform-http): the console's pages, its JSON API
 * and {@code /metrics}. Health is Camel's own ({@code /observe/health}, set up by camel-main) and is the only thing
 * answered without credentials, apart from the login page itself. An unauthenticated request gets 401 and no data.
 */
public final class OpsRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(OpsRoutes.class);
    /** Sent by the console's own script: a header a cross-site form cannot set, so a session cookie alone never acts. */
    static final String CONSOLE_HEADER = "X-IEP-Console";
    private static final Map<String, String> STATIC = Map.of(
            "", "text/html", "index.html", "text/html", "app.js", "text/javascript", "app.css", "text/css");

    private final OpsAuth auth;
    private final OpsApi api;
    private final OpsMetrics metrics;
    private final boolean secure;

    public OpsRoutes(OpsAuth auth, OpsApi api, OpsMetrics metrics, boolean secure) {
        this.auth = auth;
        this.api = api;
        this.metrics = metrics;
        this.secure = secure;
    }

    @Override
    public void configure() {
        from("platform-http:/?httpMethodRestrict=GET").routeId("ops-root").process(e -> redirect(e, "/console/"));
        from("platform-http:/login?httpMethodRestrict=GET,POST").routeId("ops-login").process(this::login);
        // The sign-in page's script and style: public, like the page (they hold no data); the style is the
        // console's own sheet, served here too because the sign-in page cannot fetch what sits behind sign-in.
        from("platform-http:/login.js?httpMethodRestrict=GET").routeId("ops-login-js")
                .process(e -> reply(e, 200, "text/javascript", resource("login.js")));
        from("platform-http:/login.css?httpMethodRestrict=GET").routeId("ops-login-css")
                .process(e -> reply(e, 200, "text/css", resource("app.css")));
        from("platform-http:/logout?httpMethodRestrict=POST").routeId("ops-logout").process(this::logout);
        from("platform-http:/console?matchOnUriPrefix=true&httpMethodRestrict=GET").routeId("ops-console")
                .process(this::console);
        from("platform-http:/api?matchOnUriPrefix=true&httpMethodRestrict=GET,POST").routeId("ops-api")
                .process(this::api);
        from("platform-http:/metrics?httpMethodRestrict=GET").routeId("ops-metrics").process(this::metrics);
    }

    private Optional<String> user(Exchange e) {
        Message m = e.getMessage();
        return auth.user(client(e), m.getHeader("Cookie", String.class), m.getHeader("Authorization", String.class));
    }

    /** The client's address, which the sign-in throttle counts failures by (port left out: it changes per connection). */
    private static String client(Exchange e) {
        Object remote = e.getMessage().getHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS);
        return remote instanceof SocketAddress a && a.hostAddress() != null ? a.hostAddress() : "unknown";
    }

    private void login(Exchange e) throws IOException {
        if ("GET".equals(e.getMessage().getHeader(Exchange.HTTP_METHOD, String.class))) {
            reply(e, 200, "text/html", resource("login.html"));
            return;
        }
        String body = e.getMessage().getBody(String.class);
        String user = null;
        String password = null;
        try {
            JsonNode n = OpsApi.JSON.readTree(body == null ? "" : body);
            user = n.path("user").asText(null);
            password = n.path("password").asText(null);
        } catch (IOException | RuntimeException ignored) {
            // Not JSON: treated as wrong credentials below.
        }
        String client = client(e);
        switch (auth.verify(client, user, password)) {
            case WAIT -> {
                long seconds = Math.max(1, auth.waitFor(client).map(d -> (d.toMillis() + 999) / 1000).orElse(1L));
                LOG.warn("console login from {} not checked: too many wrong passwords, {} s to wait", client, seconds);
                reply(e, 429, "application/json", "{\"error\":\"too many wrong passwords: try again in " + seconds
                        + " s\"}");
                e.getMessage().setHeader("Retry-After", String.valueOf(seconds));
                return;
            }
            case REFUSED -> {
                LOG.warn("console login from {} refused", client);
                reply(e, 401, "application/json", "{\"error\":\"wrong user or password\"}");
                return;
            }
            case SIGNED_IN -> {
                // on below
            }
        }
        String token = auth.openSession(user);
        LOG.info("console login: {}", user);
        reply(e, 200, "application/json", "{\"user\":" + OpsApi.JSON.writeValueAsString(user) + "}");
        e.getMessage().setHeader("Set-Cookie", OpsAuth.COOKIE + "=" + token
                + "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : ""));
    }

    private void logout(Exchange e) {
        auth.closeSession(e.getMessage().getHeader("Cookie", String.class));
        reply(e, 200, "application/json", "{}");
        e.getMessage().setHeader("Set-Cookie", OpsAuth.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    }

    private void console(Exchange e) throws IOException {
        if (user(e).isEmpty()) {
            reply(e, 401, "text/html", "<!doctype html><title>Sign in</title><p>Sign in first:"
                    + " <a href=\"/login\">/login</a></p>");
            return;
        }
        String name = below(e, "/console");
        String type = STATIC.get(name);
        if (type == null) {
            reply(e, 404, "text/plain", "not found");
            return;
        }
        reply(e, 200, type, resource(name.isEmpty() ? "index.html" : name));
    }

    private void api(Exchange e) throws IOException {
        Optional<String> user = user(e);
        Message m = e.getMessage();
        String method = m.getHeader(Exchange.HTTP_METHOD, String.class);
        if (user.isEmpty()) {
            unauthorized(e);
            return;
        }
        // A POST carried by a session cookie must come from the console's script (see CONSOLE_HEADER).
        boolean cookieOnly = m.getHeader("Authorization") == null;
        if ("POST".equals(method) && cookieOnly && m.getHeader(CONSOLE_HEADER) == null) {
            reply(e, 403, "application/json", "{\"error\":\"actions need the " + CONSOLE_HEADER + " header\"}");
            return;
        }
        String body = "POST".equals(method) ? m.getBody(String.class) : null;
        OpsApi.Reply r;
        try {
            r = api.handle(method, below(e, "/api"), query(m), body, user.get());
        } catch (RuntimeException ex) {
            LOG.warn("console API {} failed ({})", below(e, "/api"), ex.getClass().getSimpleName());
            r = OpsApi.Reply.error(500, "internal error (" + ex.getClass().getSimpleName() + ")");
        }
        reply(e, r.status(), "application/json", OpsApi.JSON.writeValueAsString(r.body()));
    }

    private void metrics(Exchange e) {
        if (user(e).isEmpty()) {
            unauthorized(e);
            return;
        }
        reply(e, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
    }

    private void unauthorized(Exchange e) {
        boolean fromConsole = e.getMessage().getHeader(CONSOLE_HEADER) != null;
        reply(e, 401, "application/json", "{\"error\":\"authentication required\"}");
        if (!fromConsole) {
            // Basic for curl and Prometheus; not for the console's own script, where the browser would pop a dialog.
            e.getMessage().setHeader("WWW-Authenticate", "Basic realm=\"iep\", charset=\"UTF-8\"");
        }
    }

    private static void redirect(Exchange e, String to) {
        reply(e, 303, "text/plain", "");
        e.getMessage().setHeader("Location", to);
    }

    /** Replaces the request's headers with the response's own: nothing of the request is echoed back. */
    private static void reply(Exchange e, int status, String contentType, String body) {
        Message m = e.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, contentType);
        m.setHeader("Cache-Control", "no-store");
        m.setHeader("X-Content-Type-Options", "nosniff");
        m.setHeader("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
        m.setBody(body);
    }

    /** The request path below {@code prefix}, without the query. */
    private static String below(Exchange e, String prefix) {
        String uri = e.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        String path = uri == null ? "" : uri.split("\\?", 2)[0];
        int at = path.indexOf(prefix);
        String rest = at < 0 ? "" : path.substring(at + prefix.length());
        return rest.startsWith("/") ? rest.substring(1) : rest;
    }

    private static Map<String, String> query(Message m) {
        Map<String, String> out = new LinkedHashMap<>();
        String uri = m.getHeader(Exchange.HTTP_URI, String.class);
        String q = uri == null || !uri.contains("?") ? "" : uri.substring(uri.indexOf('?') + 1);
        for (String pair : q.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return out;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = OpsRoutes.class.getResourceAsStream("/ops/console/" + name)) {
            if (in == null) {
                throw new IOException("missing console resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
