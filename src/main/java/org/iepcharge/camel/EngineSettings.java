package org.iepcharge.camel;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.iepcharge.ledger.JdbcLedger;

/**
 * Every setting of the engine, resolved and checked once at start-up. A bad value stops start-up with a message that
 * names the setting and where its value came from. Each key is read from, in this order: system property
 * ({@code -Diep.inbound.port=2575}), environment variable ({@code IEP_INBOUND_PORT}), properties file
 * ({@code iep.config}, default {@code ./iep.properties}), built-in default.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>Key</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>iep.inbound.host</td><td>0.0.0.0</td><td>address the LIS listener binds</td></tr>
 *   <tr><td>iep.inbound.port</td><td>2575</td><td>LIS listener port (0–65535; 0 = any free port)</td></tr>
 *   <tr><td>iep.inbound.charset</td><td>UTF-8</td><td>charset of LIS messages without MSH-18</td></tr>
 *   <tr><td>iep.inbound.maxFrameBytes</td><td>1048576</td><td>largest MLLP frame accepted (1 KiB–64 MiB)</td></tr>
 *   <tr><td>iep.inbound.idleTimeoutSeconds</td><td>300</td><td>a LIS connection on which no complete frame
 *       arrives (and no answer leaves) this long is closed: idle, or trickling a frame byte by byte (1–86400)</td></tr>
 *   <tr><td>iep.inbound.maxConnections</td><td>64</td><td>concurrent LIS connections (1–10000)</td></tr>
 *   <tr><td>iep.billing.mode</td><td>local</td><td>{@code local} (built-in receiver) or {@code mllp}</td></tr>
 *   <tr><td>iep.billing.host</td><td>127.0.0.1</td><td>billing's MLLP host</td></tr>
 *   <tr><td>iep.billing.port</td><td>2576</td><td>billing's MLLP port (1–65535)</td></tr>
 *   <tr><td>iep.billing.timeoutMillis</td><td>15000</td><td>connect and ACK wait per DFT (100–600000)</td></tr>
 *   <tr><td>iep.billing.pollMillis</td><td>100</td><td>how often the outbox is checked (10–60000)</td></tr>
 *   <tr><td>iep.billing.retryFirstMillis</td><td>1000</td><td>delay after the first failed attempt; doubles after
 *       each further one (10–3600000)</td></tr>
 *   <tr><td>iep.billing.retryMaxMillis</td><td>60000</td><td>longest delay between attempts; a DFT is retried at
 *       this pace for as long as it takes (10–86400000, at least iep.billing.retryFirstMillis)</td></tr>
 *   <tr><td>iep.dataDir</td><td>data</td><td>folder of the embedded ledger and the local billing receiver</td></tr>
 *   <tr><td>iep.rules</td><td>(built-in)</td><td>rules file; empty = the shipped rules</td></tr>
 *   <tr><td>iep.routes</td><td>routes</td><td>folder of the {@code *.camel.yaml} route files</td></tr>
 *   <tr><td>iep.ledger.url</td><td>H2 file in iep.dataDir</td><td>jdbc:h2: or jdbc:postgresql: URL</td></tr>
 *   <tr><td>iep.ledger.user / iep.ledger.password</td><td>sa (H2) / empty</td><td>ledger credentials</td></tr>
 *   <tr><td>iep.application / iep.facility</td><td>IEP_CHARGE_ROUTER / LAB</td><td>our MSH-3/4</td></tr>
 *   <tr><td>iep.billing.application / iep.billing.facility</td><td>BILLING / BILLING</td><td>DFT MSH-5/6</td></tr>
 *   <tr><td>iep.node</td><td>host name</td><td>this node's name on outbox claims</td></tr>
 * </table>
 */
public record EngineSettings(String inboundHost, int inboundPort, Charset inboundCharset, int maxFrameBytes,
                             int idleTimeoutSeconds, int maxConnections, String billingMode, String billingHost,
                             int billingPort, int billingTimeoutMillis, long billingPollMillis, Path dataDir,
                             Path rules, Path routes, String ledgerUrl, String ledgerUser, String ledgerPassword,
                             String application, String facility, String billingApplication,
                             String billingFacility, String nodeName, int billingRetryFirstMillis,
                             int billingRetryMaxMillis) {

    public static final String MODE_LOCAL = "local";
    public static final String MODE_MLLP = "mllp";

    /** Resolves the settings from this JVM's system properties and environment. */
    public static EngineSettings fromEnvironment() {
        Map<String, String> sys = new LinkedHashMap<>();
        System.getProperties().forEach((k, v) -> sys.put(String.valueOf(k), String.valueOf(v)));
        return resolve(sys, System.getenv());
    }

    public static EngineSettings resolve(Map<String, String> systemProperties, Map<String, String> environment) {
        Reader r = new Reader(SettingSource.of(systemProperties, environment));
        Path dataDir = r.path("iep.dataDir", "data");
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw r.bad("iep.dataDir", "is a file, not a folder");
        }
        String mode = r.oneOf("iep.billing.mode", MODE_LOCAL, MODE_LOCAL, MODE_MLLP);
        String ledgerUrl = r.text("iep.ledger.url", JdbcLedger.h2FileUrl(dataDir));
        if (!ledgerUrl.startsWith("jdbc:h2:") && !ledgerUrl.startsWith("jdbc:postgresql:")) {
            throw r.bad("iep.ledger.url", "is not a jdbc:h2: or jdbc:postgresql: URL");
        }
        String rules = r.text("iep.rules", "");
        Path rulesPath = rules.isEmpty() ? null : Path.of(rules);
        if (rulesPath != null && !Files.isReadable(rulesPath)) {
            throw r.bad("iep.rules", "names no readable file");
        }
        Path routes = r.path("iep.routes", "routes");
        int billingPort = r.port("iep.billing.port", 2576);
        if (billingPort == 0) {
            throw r.bad("iep.billing.port", "is not a TCP port to send to (1–65535)");
        }
        String billingHost = r.text("iep.billing.host", "127.0.0.1");
        if (billingHost.isEmpty()) {
            throw r.bad("iep.billing.host", "is empty");
        }
        int retryFirst = r.integer("iep.billing.retryFirstMillis", 1_000, 10, 3_600_000);
        int retryMax = r.integer("iep.billing.retryMaxMillis", 60_000, 10, 86_400_000);
        if (retryMax < retryFirst) {
            throw r.bad("iep.billing.retryMaxMillis", "is less than iep.billing.retryFirstMillis (" + retryFirst + ")");
        }
        String inboundHost = r.text("iep.inbound.host", "0.0.0.0");
        if (inboundHost.isEmpty()) {
            throw r.bad("iep.inbound.host", "is empty");
        }
        String node = r.text("iep.node", hostName());
        if (node.isEmpty() || node.length() > 100) {
            throw r.bad("iep.node", "must be 1 to 100 characters (it is stored with each outbox claim)");
        }
        return new EngineSettings(
                inboundHost,
                r.port("iep.inbound.port", 2575),
                r.charset("iep.inbound.charset", "UTF-8"),
                r.integer("iep.inbound.maxFrameBytes", 1_048_576, 1024, 64 * 1024 * 1024),
                r.integer("iep.inbound.idleTimeoutSeconds", 300, 1, 86_400),
                r.integer("iep.inbound.maxConnections", 64, 1, 10_000),
                mode, billingHost, billingPort,
                r.integer("iep.billing.timeoutMillis", 15_000, 100, 600_000),
                r.integer("iep.billing.pollMillis", 100, 10, 60_000),
                dataDir, rulesPath, routes, ledgerUrl,
                r.text("iep.ledger.user", ledgerUrl.startsWith("jdbc:h2:") ? "sa" : ""),
                r.text("iep.ledger.password", ""),
                r.hl7Name("iep.application", "IEP_CHARGE_ROUTER"),
                r.hl7Name("iep.facility", "LAB"),
                r.hl7Name("iep.billing.application", "BILLING"),
                r.hl7Name("iep.billing.facility", "BILLING"),
                node, retryFirst, retryMax);
    }

    /** Checks what only the running engine needs (the command line's ledger commands do without routes). */
    public void requireRoutes() {
        if (!Files.isDirectory(routes)) {
            throw new SettingsException("Setting iep.routes = '" + routes + "' is not a folder (it must hold the"
                    + " *.camel.yaml route files; run from the project folder or set iep.routes)");
        }
    }

    /** The values the route files may use as {@code {{placeholders}}}. */
    public Properties placeholders() {
        Properties p = new Properties();
        p.setProperty("iep.inbound.host", inboundHost);
        p.setProperty("iep.inbound.port", String.valueOf(inboundPort));
        p.setProperty("iep.billing.host", billingHost);
        p.setProperty("iep.billing.port", String.valueOf(billingPort));
        p.setProperty("iep.billing.timeoutMillis", String.valueOf(billingTimeoutMillis));
        p.setProperty("iep.billing.pollMillis", String.valueOf(billingPollMillis));
        // A component property: on an endpoint URI it stops the route from starting (transport-measurements.md).
        p.setProperty("camel.component.mllp.log-phi", "false");
        return p;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "node";
        }
    }

    private record Reader(SettingSource source) {
        String text(String key, String fallback) {
            return source.find(key).map(SettingSource.Value::text).orElse(fallback);
        }

        /** A name written into MSH-3 to MSH-6: not empty, and none of HL7's delimiters (it would split the field). */
        String hl7Name(String key, String fallback) {
            String v = text(key, fallback);
            if (v.isEmpty() || v.chars().anyMatch(c -> "|^~\\&\r\n".indexOf(c) >= 0)) {
                throw bad(key, "must be a non-empty name without the HL7 delimiters | ^ ~ \\ &");
            }
            return v;
        }

        Path path(String key, String fallback) {
            return Path.of(text(key, fallback));
        }

        int integer(String key, int fallback, int min, int max) {
            var found = source.find(key);
            if (found.isEmpty()) {
                return fallback;
            }
            try {
                int v = Integer.parseInt(found.get().text());
                if (v < min || v > max) {
                    throw bad(key, "must be between " + min + " and " + max);
                }
                return v;
            } catch (NumberFormatException e) {
                throw bad(key, "is not a whole number");
            }
        }

        int port(String key, int fallback) {
            var found = source.find(key);
            if (found.isEmpty()) {
                return fallback;
            }
            try {
                int v = Integer.parseInt(found.get().text());
                if (v < 0 || v > 65_535) {
                    throw bad(key, "is not a TCP port (0–65535)");
                }
                return v;
            } catch (NumberFormatException e) {
                throw bad(key, "is not a TCP port (0–65535)");
            }
        }

        Charset charset(String key, String fallback) {
            String name = text(key, fallback);
            try {
                return Charset.forName(name);
            } catch (IllegalCharsetNameException | java.nio.charset.UnsupportedCharsetException e) {
                throw bad(key, "is not a character set this JVM knows (e.g. UTF-8, ISO-8859-1)");
            }
        }

        String oneOf(String key, String fallback, String... allowed) {
            String v = text(key, fallback).toLowerCase(Locale.ROOT);
            for (String a : allowed) {
                if (a.equals(v)) {
                    return v;
                }
            }
            throw bad(key, "must be one of " + String.join(", ", allowed));
        }

        SettingsException bad(String key, String problem) {
            String shown = source.find(key).map(v -> "'" + v.text() + "' (from " + v.origin() + ")")
                    .orElse("its default");
            return new SettingsException("Setting " + key + " = " + shown + " " + problem);
        }
    }
}
