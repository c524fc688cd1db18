package org.iepcharge.config;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.iepcharge.ledger.Durability;
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
 *   <tr><td>iep.billing.connections</td><td>1</td><td>billing connections sending in parallel, each with its own
 *       copy of the outbound route (1–32); per order, DFTs still go one after the other</td></tr>
 *   <tr><td>iep.billing.retryFirstMillis</td><td>1000</td><td>delay after the first failed attempt; doubles after
 *       each further one (10–3600000)</td></tr>
 *   <tr><td>iep.billing.retryMaxMillis</td><td>60000</td><td>longest delay between attempts; a DFT is retried at
 *       this pace for as long as it takes (10–86400000, at least iep.billing.retryFirstMillis)</td></tr>
 *   <tr><td>iep.dataDir</td><td>data</td><td>folder of the embedded ledger and the local billing receiver</td></tr>
 *   <tr><td>iep.rules</td><td>(built-in)</td><td>rules file; empty = the shipped rules</td></tr>
 *   <tr><td>iep.routes</td><td>./routes if it holds route files, else built-in</td><td>folder of the
 *       {@code *.camel.yaml} route files; unset: ./routes when present, else the routes built into the jar</td></tr>
 *   <tr><td>iep.ledger.url</td><td>jdbc:sqlite:iep.dataDir/ledger.db</td><td>jdbc:sqlite: (embedded) or
 *       jdbc:postgresql: URL; one that asks for a weaker commit than iep.ledger.durability (synchronous=OFF,
 *       journal_mode=MEMORY, synchronous_commit=off, an in-memory database) is refused</td></tr>
 *   <tr><td>iep.ledger.durability</td><td>process</td><td>what an acknowledged outcome survives: {@code process}
 *       (the engine's death; SQLite synchronous=NORMAL) or {@code power} (a power cut too; synchronous=FULL, an
 *       fsync per group commit)</td></tr>
 *   <tr><td>iep.ledger.user / iep.ledger.password</td><td>empty</td><td>ledger credentials (PostgreSQL)</td></tr>
 *   <tr><td>iep.application / iep.facility</td><td>IEP_CHARGE_ROUTER / LAB</td><td>our MSH-3/4</td></tr>
 *   <tr><td>iep.billing.application / iep.billing.facility</td><td>BILLING / BILLING</td><td>DFT MSH-5/6</td></tr>
 *   <tr><td>iep.node</td><td>host name</td><td>this node's name on outbox claims</td></tr>
 *   <tr><td>iep.billing.singleSender</td><td>false</td><td>only the raft leader among the nodes delivers to billing
 *       (a billing system that takes one connection; docs/cluster.md); needs iep.billing.raftMembers</td></tr>
 *   <tr><td>iep.billing.raftMembers</td><td>–</td><td>{@code name@host:port,…}: every node's iep.node and raft
 *       address, this node's included; at least 3 (a majority must be up to elect a leader)</td></tr>
 *   <tr><td>iep.inbound.tls.enabled</td><td>false</td><td>the LIS listener speaks TLS (MLLP inside TLS)</td></tr>
 *   <tr><td>iep.inbound.tls.keystore / .password</td><td>–</td><td>PKCS#12 (or JKS) file with the listener's
 *       certificate and key, and its password (required with TLS)</td></tr>
 *   <tr><td>iep.inbound.tls.clientAuth</td><td>NONE</td><td>{@code NONE} or {@code REQUIRE} (mutual TLS: the LIS
 *       must present a certificate signed by a CA in the trust store)</td></tr>
 *   <tr><td>iep.inbound.tls.truststore / .truststorePassword</td><td>–</td><td>CA certificates accepted from the
 *       LIS (required with clientAuth=REQUIRE)</td></tr>
 *   <tr><td>iep.billing.tls.enabled</td><td>false</td><td>send to billing over TLS, verifying that billing's
 *       certificate is issued for iep.billing.host (needs iep.billing.mode=mllp)</td></tr>
 *   <tr><td>iep.billing.tls.truststore / .truststorePassword</td><td>JVM default CAs</td><td>CA certificates
 *       accepted from billing</td></tr>
 *   <tr><td>iep.billing.tls.keystore / .password</td><td>–</td><td>our client certificate and key, for billing
 *       systems that require mutual TLS</td></tr>
 *   <tr><td>iep.http.enabled</td><td>true</td><td>the operator console, JSON API, /metrics and health
 *       (docs/operating.md)</td></tr>
 *   <tr><td>iep.http.host / iep.http.port</td><td>127.0.0.1 / 8575</td><td>where the console listens</td></tr>
 *   <tr><td>iep.http.user</td><td>admin</td><td>the console's user</td></tr>
 *   <tr><td>iep.http.password / iep.http.passwordHash</td><td>–</td><td>its password, plain (hashed at start-up) or
 *       as hashed by {@code iep http-password}; neither set = every page but health answers 401</td></tr>
 *   <tr><td>iep.http.tls.enabled / .keystore / .password / .clientAuth / .truststore /
 *       .truststorePassword</td><td>false</td><td>HTTPS, as iep.inbound.tls.*</td></tr>
 *   <tr><td>iep.retention.rawDays</td><td>30</td><td>raw inbound message bytes are erased after this many days
 *       (1–36500)</td></tr>
 *   <tr><td>iep.retention.correctionDays</td><td>396</td><td>finished orders (charge lines, order context, closed
 *       holds, sent DFTs) and duplicate-detection keys are deleted after this many days (at least rawDays)</td></tr>
 *   <tr><td>iep.retention.periodMinutes</td><td>1440</td><td>how often the pruning job runs (1–10080)</td></tr>
 * </table>
 */
public record EngineSettings(String inboundHost, int inboundPort, Charset inboundCharset, int maxFrameBytes,
                             int idleTimeoutSeconds, int maxConnections, String billingMode, String billingHost,
                             int billingPort, int billingTimeoutMillis, long billingPollMillis,
                             int billingConnections, Path dataDir,
                             Path rules, Path routes, String ledgerUrl, String ledgerUser, String ledgerPassword,
                             Durability ledgerDurability,
                             String application, String facility, String billingApplication,
                             String billingFacility, String nodeName, int billingRetryFirstMillis,
                             int billingRetryMaxMillis, TlsSettings inboundTls, TlsSettings billingTls,
                             int retentionRawDays, int retentionCorrectionDays, int retentionPeriodMinutes,
                             HttpSettings http, SingleSender singleSender) {

    public static final String MODE_LOCAL = "local";
    public static final String MODE_MLLP = "mllp";
    /** More would only queue at billing: the engine's delivery stops scaling long before (BENCHMARKS.md). */
    static final int MAX_BILLING_CONNECTIONS = 32;

    /** Resolves the settings from this JVM's system properties and environment. */
    public static EngineSettings fromEnvironment() {
        Map<String, String> sys = new LinkedHashMap<>();
        System.getProperties().forEach((k, v) -> sys.put(String.valueOf(k), String.valueOf(v)));
        return resolve(sys, System.getenv());
    }

    /**
     * Resolves and checks every setting. A key of ours that no setting reads (a typo such as
     * {@code iep.billing.tiemoutMillis} or {@code IEP_INBOUND_PROT}) is refused, named with where it came from and the
     * closest known key: the known keys are the ones this method reads, plus the ledger's JVM-only tuning keys.
     */
    public static EngineSettings resolve(Map<String, String> systemProperties, Map<String, String> environment) {
        SettingSource source = SettingSource.of(systemProperties, environment);
        EngineSettings settings = resolve(source);
        source.refuseUnknown(JdbcLedger.SYSTEM_PROPERTY_SETTINGS);
        return settings;
    }

    /** Every setting key the engine reads: the ones read by {@link #resolve} and the ledger's JVM-only ones. */
    public static java.util.SortedSet<String> knownKeys() {
        SettingSource source = SettingSource.empty();
        resolve(source);
        java.util.SortedSet<String> keys = new java.util.TreeSet<>(source.askedKeys());
        keys.addAll(JdbcLedger.SYSTEM_PROPERTY_SETTINGS);
        return keys;
    }

    /**
     * Every key is read unconditionally (whatever the other values say), so the set of keys read — the known keys —
     * does not depend on the values given.
     */
    private static EngineSettings resolve(SettingSource source) {
        Reader r = new Reader(source);
        Path dataDir = r.path("iep.dataDir", "data");
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw r.bad("iep.dataDir", "is a file, not a folder");
        }
        String mode = r.oneOf("iep.billing.mode", MODE_LOCAL, MODE_LOCAL, MODE_MLLP);
        String ledgerUrl = r.text("iep.ledger.url", JdbcLedger.sqliteFileUrl(dataDir));
        if (!JdbcLedger.supports(ledgerUrl)) {
            throw r.bad("iep.ledger.url", "is not a jdbc:sqlite: or jdbc:postgresql: URL");
        }
        Durability durability = Durability.parse(r.text("iep.ledger.durability", "process"));
        if (durability == null) {
            throw r.bad("iep.ledger.durability", "must be process or power");
        }
        var weaker = JdbcLedger.durabilityProblem(ledgerUrl, durability);
        if (weaker.isPresent()) {
            throw r.bad("iep.ledger.url", weaker.get());
        }
        String rules = r.text("iep.rules", "");
        Path rulesPath = rules.isEmpty() ? null : Path.of(rules);
        if (rulesPath != null && !Files.isReadable(rulesPath)) {
            throw r.bad("iep.rules", "names no readable file");
        }
        Path routes = routesFolder(r);
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
        TlsSettings inboundTls = r.tls("iep.inbound.tls", true);
        TlsSettings billingTls = r.tls("iep.billing.tls", false);
        if (billingTls.enabled() && !MODE_MLLP.equals(mode)) {
            throw r.bad("iep.billing.tls.enabled", "needs iep.billing.mode=mllp (the built-in local receiver has no"
                    + " TLS)");
        }
        int rawDays = r.integer("iep.retention.rawDays", 30, 1, 36_500);
        int correctionDays = r.integer("iep.retention.correctionDays", 396, 1, 36_500);
        if (correctionDays < rawDays) {
            throw r.bad("iep.retention.correctionDays", "is less than iep.retention.rawDays (" + rawDays + ")");
        }
        int prunePeriod = r.integer("iep.retention.periodMinutes", 1_440, 1, 10_080);
        HttpSettings http = r.http();
        SingleSender singleSender = r.singleSender(node, mode, dataDir);
        int billingConnections = r.integer("iep.billing.connections", 1, 1, MAX_BILLING_CONNECTIONS);
        if (singleSender.enabled() && billingConnections > 1) {
            throw r.bad("iep.billing.connections", "must be 1 with iep.billing.singleSender=true (leader-only delivery"
                    + " is for a billing system that accepts one connection)");
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
                billingConnections,
                dataDir, rulesPath, routes, ledgerUrl,
                r.text("iep.ledger.user", ""),
                r.text("iep.ledger.password", ""),
                durability,
                r.hl7Name("iep.application", "IEP_CHARGE_ROUTER"),
                r.hl7Name("iep.facility", "LAB"),
                r.hl7Name("iep.billing.application", "BILLING"),
                r.hl7Name("iep.billing.facility", "BILLING"),
                node, retryFirst, retryMax, inboundTls, billingTls, rawDays, correctionDays, prunePeriod, http,
                singleSender);
    }

    /**
     * Opens (and migrates) the ledger these settings name, for their durability.
     *
     * @throws org.iepcharge.ledger.DurabilityException when a connection or the server keeps less than that
     */
    public JdbcLedger openLedger() {
        return JdbcLedger.open(ledgerUrl, ledgerUser, ledgerPassword, ledgerDurability);
    }

    /** The ledger of these settings before its migration ({@link JdbcLedger#unmigrated}): nothing touched yet. */
    public JdbcLedger unmigratedLedger() {
        return JdbcLedger.unmigrated(ledgerUrl, ledgerUser, ledgerPassword, ledgerDurability);
    }

    /** The folder of {@code *.camel.yaml} files the engine loads from, or empty for the routes built into the jar. */
    public java.util.Optional<Path> routesFolder() {
        return java.util.Optional.ofNullable(routes);
    }

    /** Checks what only the running engine needs (the command line's ledger commands do without routes). */
    public void requireRoutes() {
        if (routes == null) {
            return;
        }
        if (!Files.isDirectory(routes)) {
            throw new SettingsException("Setting iep.routes = '" + routes + "' is not a folder (it must hold the"
                    + " *.camel.yaml route files; leave iep.routes unset to use the routes built into the jar)");
        }
        if (!holdsRouteFiles(routes)) {
            throw new SettingsException("Setting iep.routes = '" + routes + "' holds no *.camel.yaml route file");
        }
    }

    /**
     * {@code iep.routes} when given; else {@code ./routes} when it holds route files (running from a clone, where an
     * analyst edits them); else null: the routes built into the jar, so the jar runs from any folder.
     */
    private static Path routesFolder(Reader r) {
        String given = r.text("iep.routes", "");
        if (!given.isEmpty()) {
            return Path.of(given);
        }
        Path local = Path.of("routes");
        return holdsRouteFiles(local) ? local : null;
    }

    private static boolean holdsRouteFiles(Path folder) {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".camel.yaml"));
        } catch (java.io.IOException e) {
            return false;
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
        // TLS switches only: the stores and their passwords reach Camel as the beans lisSsl and billingSsl.
        p.setProperty("iep.inbound.tls.enabled", String.valueOf(inboundTls.enabled()));
        p.setProperty("iep.inbound.tls.needClientAuth", String.valueOf(inboundTls.requireClientCert()));
        p.setProperty("iep.billing.tls.enabled", String.valueOf(billingTls.enabled()));
        // billing-outbound's TLS producer starts with the route only when it is the one used (start-up time).
        p.setProperty("iep.billing.tls.lazyStart", String.valueOf(!billingTls.enabled()));
        p.setProperty("iep.retention.periodMillis", String.valueOf(retentionPeriodMinutes * 60_000L));
        // A component property: on an endpoint URI it stops the route from starting (docs/transport-notes.md).
        p.setProperty("camel.component.mllp.log-phi", "false");
        return p;
    }

    /** Never prints the ledger password (the record's own toString would). */
    @Override
    public String toString() {
        return "EngineSettings[inbound " + inboundHost + ":" + inboundPort + ", billing " + billingMode + " "
                + billingHost + ":" + billingPort + ", ledger " + ledgerUrl.split("[;?]")[0] + " (durability "
                + ledgerDurability.settingValue() + "), rules "
                + (rules == null ? "built-in" : rules) + ", routes " + (routes == null ? "built-in" : routes) + "]";
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "node";
        }
    }

    /**
     * The operator side (console, API, /metrics, health) on camel-main's embedded HTTP server. The password is hashed
     * here and the plain text dropped: the settings never hold it past start-up, and it is never logged.
     */
    public record HttpSettings(boolean enabled, String host, int port, String user, String passwordHash,
                               TlsSettings tls) {
        public static final HttpSettings OFF = new HttpSettings(false, "127.0.0.1", 8575, "", "", TlsSettings.OFF);

        /** No password configured: every page but health answers 401. */
        public boolean locked() {
            return passwordHash.isEmpty();
        }

        @Override
        public String toString() {
            return enabled ? (tls.enabled() ? "https://" : "http://") + host + ":" + port : "off";
        }
    }

    private record Reader(SettingSource source) {
        /**
         * {@code iep.billing.singleSender} and {@code iep.billing.raftMembers}. Refused: members without the switch
         * (they would do nothing), the switch without members, fewer than {@link SingleSender#MIN_MEMBERS} (no leader
         * once one is down), this node missing from them, and the built-in local receiver (one per node, so there is
         * no single connection to protect).
         */
        SingleSender singleSender(String node, String mode, Path dataDir) {
            boolean enabled = bool("iep.billing.singleSender", false);
            String members = text("iep.billing.raftMembers", "").trim();
            if (!enabled) {
                if (!members.isEmpty()) {
                    throw bad("iep.billing.raftMembers", "is set but iep.billing.singleSender is not true (the"
                            + " members would elect a leader nobody asks for)");
                }
                return SingleSender.OFF;
            }
            if (!MODE_MLLP.equals(mode)) {
                throw bad("iep.billing.singleSender", "needs iep.billing.mode=mllp (the built-in local receiver runs"
                        + " on every node)");
            }
            if (members.isEmpty()) {
                throw bad("iep.billing.raftMembers", "is required with iep.billing.singleSender=true: every node's"
                        + " iep.node and raft address, e.g. node1@10.0.0.1:7800,node2@10.0.0.2:7800,"
                        + "node3@10.0.0.3:7800");
            }
            java.util.List<SingleSender.Member> list;
            try {
                list = SingleSender.parse(members);
            } catch (IllegalArgumentException e) {
                throw bad("iep.billing.raftMembers", e.getMessage());
            }
            if (list.size() < SingleSender.MIN_MEMBERS) {
                throw bad("iep.billing.raftMembers", "lists " + list.size() + " member(s); a leader needs a majority"
                        + " of the members up, so with fewer than " + SingleSender.MIN_MEMBERS + " the loss of one"
                        + " node stops delivery on every node: list at least " + SingleSender.MIN_MEMBERS
                        + " (docs/cluster.md)");
            }
            SingleSender.Member self = list.stream().filter(m -> m.name().equals(node)).findFirst()
                    .orElseThrow(() -> bad("iep.billing.raftMembers", "does not list this node's iep.node (" + node
                            + ")"));
            return new SingleSender(true, list, self, dataDir.resolve("raft"));
        }

        /**
         * {@code iep.http.*}. {@code iep.http.password} (plain, hashed at once) or {@code iep.http.passwordHash} (the
         * output of {@code iep http-password}, so the properties file need not hold the password).
         */
        HttpSettings http() {
            boolean enabled = bool("iep.http.enabled", true);
            String host = text("iep.http.host", "127.0.0.1");
            if (host.isEmpty()) {
                throw bad("iep.http.host", "is empty");
            }
            int port = port("iep.http.port", 8575);
            String user = text("iep.http.user", "admin");
            if (user.isEmpty() || user.contains(":")) {
                throw bad("iep.http.user", "must be a non-empty name without ':'");
            }
            String plain = text("iep.http.password", "");
            String hash = text("iep.http.passwordHash", "");
            if (!plain.isEmpty() && !hash.isEmpty()) {
                throw new SettingsException("Settings iep.http.password and iep.http.passwordHash are both set;"
                        + " set one");
            }
            if (!hash.isEmpty() && !PasswordHash.isWellFormed(hash)) {
                throw new SettingsException("Setting iep.http.passwordHash is not a hash made by `iep http-password`");
            }
            if (!plain.isEmpty()) {
                hash = PasswordHash.hash(plain.toCharArray());
            }
            return new HttpSettings(enabled, host, port, user, hash, tls("iep.http.tls", true));
        }

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

        boolean bool(String key, boolean fallback) {
            String v = text(key, String.valueOf(fallback)).toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return Boolean.parseBoolean(v);
            }
            throw bad(key, "must be true or false");
        }

        /**
         * {@code prefix.enabled}, {@code .keystore}, {@code .password}, {@code .truststore},
         * {@code .truststorePassword} and, for a listener, {@code .clientAuth}. Every store is opened here, so a wrong
         * path or password stops start-up naming the setting, not at the first connection.
         */
        TlsSettings tls(String prefix, boolean listener) {
            boolean enabled = bool(prefix + ".enabled", false);
            String keyStore = text(prefix + ".keystore", "");
            String trustStore = text(prefix + ".truststore", "");
            String clientAuth = listener ? oneOf(prefix + ".clientAuth", "none", "none", "require") : "none";
            String password = text(prefix + ".password", "");
            String trustPassword = text(prefix + ".truststorePassword", "");
            if (!enabled) {
                for (String key : new String[] {prefix + ".keystore", prefix + ".truststore"}) {
                    if (!text(key, "").isEmpty()) {
                        throw bad(key, "is set but " + prefix + ".enabled is not true (the connection would not use"
                                + " TLS)");
                    }
                }
                if (clientAuth.equals("require")) {
                    throw bad(prefix + ".clientAuth", "is REQUIRE but " + prefix + ".enabled is not true");
                }
                return TlsSettings.OFF;
            }
            boolean require = clientAuth.equals("require");
            if (listener && keyStore.isEmpty()) {
                throw bad(prefix + ".keystore", "is required with " + prefix + ".enabled=true (the listener's"
                        + " certificate and key)");
            }
            if (require && trustStore.isEmpty()) {
                throw bad(prefix + ".truststore", "is required with " + prefix + ".clientAuth=REQUIRE (the CAs"
                        + " whose client certificates are accepted)");
            }
            Path keyPath = keyStore.isEmpty() ? null : Path.of(keyStore);
            Path trustPath = trustStore.isEmpty() ? null : Path.of(trustStore);
            if (keyPath != null) {
                java.security.KeyStore ks = load(prefix + ".keystore", keyPath, password, prefix + ".password");
                if (!hasPrivateKey(ks, password)) {
                    throw bad(prefix + ".keystore", "holds no private key that " + prefix + ".password opens");
                }
            }
            if (trustPath != null) {
                java.security.KeyStore ts = load(prefix + ".truststore", trustPath, trustPassword,
                        prefix + ".truststorePassword");
                if (!hasCertificate(ts)) {
                    throw bad(prefix + ".truststore", "holds no certificate");
                }
            }
            return new TlsSettings(true, keyPath, password, trustPath, trustPassword, require);
        }

        private java.security.KeyStore load(String key, Path file, String password, String passwordKey) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw bad(key, "names no readable file");
            }
            try (java.io.InputStream in = Files.newInputStream(file)) {
                java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
                ks.load(in, password.isEmpty() ? null : password.toCharArray());
                return ks;
            } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                throw bad(key, "cannot be opened (not a PKCS#12 or JKS store, or " + passwordKey + " is wrong)");
            }
        }

        private static boolean hasPrivateKey(java.security.KeyStore ks, String password) {
            try {
                for (String alias : java.util.Collections.list(ks.aliases())) {
                    if (ks.isKeyEntry(alias) && ks.getKey(alias, password.toCharArray()) != null) {
                        return true;
                    }
                }
                return false;
            } catch (java.security.GeneralSecurityException e) {
                return false;
            }
        }

        private static boolean hasCertificate(java.security.KeyStore ks) {
            try {
                for (String alias : java.util.Collections.list(ks.aliases())) {
                    if (ks.getCertificate(alias) != null) {
                        return true;
                    }
                }
                return false;
            } catch (java.security.GeneralSecurityException e) {
                return false;
            }
        }

        SettingsException bad(String key, String problem) {
            String shown = source.find(key).map(v -> "'" + v.text() + "' (from " + v.origin() + ")")
                    .orElse("its default");
            return new SettingsException("Setting " + key + " = " + shown + " " + problem);
        }
    }
}
