package org.iepcharge.camel;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import ca.uhn.hl7v2.AcknowledgmentCode;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.logging.LoggingMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.hl7.HL7MLLPNettyDecoderFactory;
import org.apache.camel.component.hl7.HL7MLLPNettyEncoderFactory;
import org.apache.camel.main.Main;
import org.iepcharge.billing.DeliveryPolicy;
import org.iepcharge.billing.local.BillingReceiver;
import org.iepcharge.capture.CaptureAssembly;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.capture.ChargeIds;
import org.iepcharge.camel.context.EngineCamelContext;
import org.iepcharge.capture.RulesLinePlanner;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.edge.mllp.ConnectionLimiter;
import org.iepcharge.edge.mllp.IdleTimeoutFactory;
import org.iepcharge.edge.mllp.MllpFrameSplitterFactory;
import org.iepcharge.hl7.AckBuilder;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.ledger.Ledger;
import org.iepcharge.ledger.LedgerRetention;
import org.iepcharge.ops.JvmMeters;
import org.iepcharge.ops.OpsServer;
import org.iepcharge.rules.RuleSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.iepcharge.config.EngineSettings;
import org.iepcharge.config.SettingsException;

/**
 * The running engine: the ledger, the rules, the named beans the route files call, and camel-main loading
 * {@code iep.routes/*.camel.yaml} — the very files an analyst deploys.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final EngineSettings settings;
    private final JdbcLedger ledger;
    private final BillingReceiver localBilling;
    private final Main main;
    private final ConnectionLimiter connections;
    private final CompositeMeterRegistry meters;
    private final SimpleMeterRegistry totals;
    private final OpsServer ops;
    private final BillingSenderPolicy billingSender;
    private final AnswerRecorder answers;
    /** The operator side's Vert.x instance (null with iep.http.enabled=false), closed after Camel. */
    private final OpsVertx opsVertx;

    private Engine(EngineSettings settings, JdbcLedger ledger, BillingReceiver localBilling, Main main,
                   ConnectionLimiter connections, CompositeMeterRegistry meters, SimpleMeterRegistry totals,
                   OpsServer ops, BillingSenderPolicy billingSender, AnswerRecorder answers, OpsVertx opsVertx) {
        this.opsVertx = opsVertx;
        this.billingSender = billingSender;
        this.ops = ops;
        this.answers = answers;
        this.meters = meters;
        this.totals = totals;
        this.settings = settings;
        this.ledger = ledger;
        this.localBilling = localBilling;
        this.main = main;
        this.connections = connections;
    }

    public static Engine start(EngineSettings settings) throws Exception {
        return start(settings, Clock.systemDefaultZone(), ChargeIds.LEDGER_SEQUENCES);
    }

    /**
     * As {@link #start(EngineSettings)}, with the clock and the DFT MSH-10 / FT1-2 source of charge capture given (a
     * golden-file test fixes both to compare a whole DFT).
     */
    public static Engine start(EngineSettings settings, Clock clock, ChargeIds ids) throws Exception {
        return start(settings, clock, ids, () -> null);
    }

    /**
     * As {@link #start(EngineSettings, Clock, ChargeIds)}; {@code whenListening} runs on the starting thread the moment
     * the LIS listener is open, before the rest starts (StartupOrderTest sends its messages there).
     */
    static Engine start(EngineSettings settings, Clock clock, ChargeIds ids, StartStep<Void> whenListening)
            throws Exception {
        long started = System.nanoTime();
        boolean localBillingMode = EngineSettings.MODE_LOCAL.equals(settings.billingMode());
        settings.requireRoutes();
        // Before the ledger is opened (or created and migrated): a port that is taken stops start-up untouched.
        ListenPorts.requireFree(settings);
        // Start-up time (docs/operating.md "Start-up"). The ledger object exists from here, with nothing touched yet;
        // its migration runs on a thread of its own and only camel-main's start (the routes, the LIS listener among
        // them) waits for it. Everything before that start — the beans, camel-main's configuration, its context with
        // the route files loaded and the routes built — is prepared beside the migration.
        JdbcLedger ledger = settings.unmigratedLedger();
        // The operator side's Prometheus registry: a thread of its own too, awaited when the operator side is wired
        // below. The JVM's meters (ProcessorMetrics, GC notifications, …) are bound on it only once the LIS listener
        // is open (OpsServer.started).
        CompletableFuture<JvmMeters> jvmMetersStart = settings.http().enabled()
                ? inBackground("iep-start-metrics", JvmMeters::create)
                : CompletableFuture.completedFuture(null);
        // The migration step builds Flyway's configuration at once (no connection: most of Flyway's cost) while this
        // thread reads the rules, and touches the ledger only once the rules are good: a bad rules file still stops
        // start-up before the ledger is created.
        // Then, once migrated, it claims the node name (true: free; false: another live node on this ledger has it).
        CompletableFuture<Void> rulesRead = new CompletableFuture<>();
        CompletableFuture<Boolean> migration = inBackground("iep-start-ledger", () -> {
            org.flywaydb.core.Flyway flyway = ledger.schemaMigration();
            rulesRead.get();
            ledger.migrate(flyway);
            return ledger.holdNodeName(settings.nodeName());
        });
        RuleSet rules;
        try {
            rules = CaptureAssembly.rules(settings);
        } catch (RuntimeException | Error e) {
            rulesRead.completeExceptionally(e);
            closeWhenDone(jvmMetersStart);
            awaitQuietly(migration);
            ledger.close();
            throw e;
        }
        rulesRead.complete(null);
        // The built-in billing receiver (a Camel context of its own) needs nothing from the ledger either: a thread of
        // its own too, awaited only once the LIS listener is open. It starts from here all the same: most classes it
        // loads are the ones the main thread needs next, so started later it would leave that work to the main thread
        // (measured: no faster, BENCHMARKS.md "Start-up to listening, fifth pass").
        CompletableFuture<BillingReceiver> localBillingStart = localBillingMode
                ? inBackground("iep-start-billing", () -> startLocalBilling(settings))
                : CompletableFuture.completedFuture(null);
        // Counts and ACK times (no patient data). The simple registry keeps running totals (what meters() reads); a
        // logging one joins below to write per-minute rates.
        CompositeMeterRegistry meters = new CompositeMeterRegistry();
        SimpleMeterRegistry totals = new SimpleMeterRegistry();
        meters.add(totals);
        Main main = new EngineMain();
        BillingReceiver localBilling = null;
        OpsVertx opsVertx = null;
        // The operator side (docs/operating.md): console, API, /metrics and health on camel-main's HTTP server.
        OpsServer ops = null;
        AnswerRecorder answers = null;
        try {
            // The owner stops the engine (run: EngineLauncher's shutdown hook; tests: close()). camel-main's default
            // strategy adds a SIGTERM hook of its own (even after disableHangupSupport() in 4.17.0); when it won the
            // race, our close() waited for a main loop that never runs (start(), not run()) until Camel's one-minute
            // timeout. The simple strategy has no hook.
            main.setShutdownStrategy(new org.apache.camel.main.SimpleMainShutdownStrategy());
            AckBuilder acks = new AckBuilder(settings.application(), settings.facility());
            // Nothing below reads or writes the ledger before camel-main starts: the beans keep it for the messages.
            ops = settings.http().enabled()
                    ? OpsServer.prepare(settings, ledger, rules, meters, await(jvmMetersStart)) : null;
            ChargeCapture capture = CaptureAssembly.newCapture(settings, rules, RulesLinePlanner::new, ledger, clock,
                    ids);
            ConnectionLimiter connections = new ConnectionLimiter(settings.maxConnections());

            main.bind("lisInbound", new LisInbound(new InboundEdge(settings.inboundCharset()), capture, acks,
                    meters));
            main.bind("lisFailure", new LisFailure(acks));
            DeliveryPolicy policy = new DeliveryPolicy(Duration.ofMillis(settings.billingRetryFirstMillis()),
                    Duration.ofMillis(settings.billingRetryMaxMillis()));
            // Room for every connection's batch in flight: a sender waits only when the ledger falls behind.
            answers = new AnswerRecorder(ledger, settings.nodeName(), OUTBOX_BATCH * settings.billingConnections());
            OutboxDelivery outbox = new OutboxDelivery(ledger, answers, policy, settings.nodeName(),
                    Duration.ofMillis(settings.billingTimeoutMillis() * 5L), OUTBOX_BATCH, meters);
            main.bind("outboxClaim", (org.apache.camel.Processor) outbox::claim);
            main.bind("outboxPrepare", (org.apache.camel.Processor) outbox::prepare);
            main.bind("outboxAnswered", (org.apache.camel.Processor) outbox::answered);
            main.bind("lisConnectionLimit", connections);
            main.bind("lisIdleTimeout", new IdleTimeoutFactory(settings.idleTimeoutSeconds()));
            main.bind("lisFrameLimit", new MllpFrameSplitterFactory(settings.maxFrameBytes()));
            main.bind("hl7Decoder", hl7Decoder());
            main.bind("hl7Encoder", new HL7MLLPNettyEncoderFactory());
            // Always bound (empty when TLS is off): the route files name them whatever the settings.
            main.bind("lisSsl", settings.inboundTls().contextParameters());
            main.bind("billingSsl", settings.billingTls().clientContextParameters(settings.billingHost(),
                    settings.billingPort()));
            main.bind("retention", new LedgerRetention(ledger, settings.retentionRawDays(),
                    settings.retentionCorrectionDays()));
            // The route policy of billing-outbound: leader-only delivery with iep.billing.singleSender, else none.
            BillingSenderPolicy billingSender = BillingSenderPolicy.create(settings.singleSender());
            main.addMainListener(new org.apache.camel.main.MainListenerSupport() {
                @Override
                public void beforeConfigure(org.apache.camel.main.BaseMainSupport m) {
                    try {
                        billingSender.register(m.getCamelContext());
                    } catch (Exception e) {
                        throw new IllegalStateException("Cannot set up the billing sender policy: " + e, e);
                    }
                }
            });
            main.configure().withRoutesIncludePattern(routesPattern(settings));
            main.configure().withName("iep-charge-router");
            java.util.Properties properties = settings.placeholders();
            if (ops != null) {
                properties.putAll(ops.configure(main, capture));
            }
            main.setInitialProperties(properties);
            // The billing routes are made from their template once the route files are loaded and before the context
            // starts: they then start with it, like every route (a route policy such as billingSender sees them at
            // start-up).
            main.addMainListener(new org.apache.camel.main.MainListenerSupport() {
                @Override
                public void afterConfigure(org.apache.camel.main.BaseMainSupport m) {
                    try {
                        startBillingConnections(m.getCamelContext(), settings, localBillingMode);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException("Cannot make the billing routes: " + e, e);
                    }
                }
            });
            // A ledger that several nodes share (PostgreSQL) can refuse the node name: that is known before camel-main
            // starts logging, so a taken name stops start-up in one line, as any bad setting does. (The name can only
            // be claimed once the ledger's schema exists.) An embedded ledger grants it: no wait.
            if (ledger.sharedByNodes()) {
                requireNodeName(await(migration), settings);
            }
            // camel-main configured and its context built and initialised: route files loaded, routes made with their
            // endpoints and beans. Nothing listens yet; that is the context's start, below.
            main.init();
            main.getCamelContext().init();
            // From here on the ledger is used: migrated, and the node name held before anything uses it (the claims
            // released just below would otherwise be another live node's).
            requireNodeName(await(migration), settings);
            // The per-minute rates in the log (the registry announces itself there, so only once the node is known).
            meters.add(LoggingMeterRegistry.builder(key -> key.equals("logging.step") ? "PT60S" : null).build());
            // This node's previous process is gone (stopped, crashed or killed): its claims on DFTs died with it.
            int released = ledger.releaseClaims(settings.nodeName());
            if (released > 0) {
                LOG.info("Released {} outbox claim(s) left by this node's previous run (node {})", released,
                        settings.nodeName());
            }
            // The LIS listener opens here: the ledger is migrated, the rules read, the routes built. Nothing else the
            // engine starts is needed to accept a message and answer it after its commit, so the rest follows it
            // (docs/operating.md "Start-up"): a message that comes in meanwhile is answered, and its DFT waits in the
            // outbox for the outbound route.
            startListening(main, settings);
            whenListening.run();
            CamelContext camel = main.getCamelContext();
            if (localBillingMode) {
                // In local mode billing-outbound was made stopped (startBillingConnections): it starts once billing's
                // stand-in listens, so its first attempts do not fail against a port that is not open yet.
                localBilling = await(localBillingStart);
                for (int lane = 1; lane <= settings.billingConnections(); lane++) {
                    camel.getRouteController().startRoute(BILLING_TEMPLATE + "-" + lane);
                }
            }
            if (ops != null) {
                // The operator side's HTTP server runs on Vert.x; camel-platform-http makes its Vert.x instance when
                // the server starts, unless the registry holds one. Made here with the same default options, so the
                // engine owns it and closes it after Camel. Not before: the LIS listener needs none of its classes
                // (made on a thread of its own beside the rest, it still slowed the listener down: BENCHMARKS.md
                // "Start-up to listening, fifth pass").
                opsVertx = OpsVertx.create();
                camel.getRegistry().bind("iepOpsVertx", opsVertx.vertx());
                // Health checks, then the console's HTTP server and its routes (OpsServer.started).
                startOps(ops, camel, settings);
            }
            Engine engine = new Engine(settings, ledger, localBilling, main, connections, meters, totals, ops,
                    billingSender, answers, opsVertx);
            LOG.info("IEP charge router listening for the LIS on {}:{} ({}; rules {} version {}, ledger {}) — started"
                            + " in {} ms", settings.inboundHost(), settings.inboundPort(), settings.inboundTls(),
                    rules.source(), rules.version(),
                    ledgerName(settings.ledgerUrl()), (System.nanoTime() - started) / 1_000_000);
            LOG.info("Routes: {}", describeRoutes(main.getCamelContext(), settings));
            if (ops != null) {
                LOG.info("Operator console {}/console/ (health {}/observe/health){}", settings.http(), settings.http(),
                        settings.http().locked() ? " — LOCKED: set iep.http.password (or iep.http.passwordHash) to"
                                + " sign in" : "");
            }
            if (localBilling != null) {
                LOG.info("Billing: built-in local receiver on {}:{} files each DFT under {} — to deliver to a real"
                                + " billing system set iep.billing.mode=mllp, iep.billing.host and iep.billing.port",
                        settings.billingHost(), settings.billingPort(),
                        settings.dataDir().resolve("billing").toAbsolutePath());
            } else {
                LOG.info("Billing: delivering DFT^P03 over MLLP to {}:{} ({}; {} connection(s))", settings.billingHost(),
                        settings.billingPort(), settings.billingTls().enabled()
                                ? settings.billingTls() + ", host name verified" : "plain TCP",
                        settings.billingConnections());
            }
            if (settings.singleSender().enabled()) {
                LOG.info("Billing: single sender — only the raft leader of {} delivers (this node {})",
                        settings.singleSender().members(), settings.singleSender().self());
            }
            return engine;
        } catch (Exception | Error e) {
            if (ops != null) {
                ops.close();
            } else {
                closeWhenDone(jvmMetersStart);
            }
            meters.close();
            stopQuietly(main);
            if (opsVertx != null) {
                opsVertx.close();
            }
            if (answers != null) {
                answers.close();
            }
            if (localBilling != null) {
                localBilling.close();
            } else {
                closeWhenDone(localBillingStart);
            }
            // A migration still running is let finish (it cannot be cut short) before its ledger is closed.
            awaitQuietly(migration);
            ledger.close();
            throw e;
        }
    }

    /** camel-main with the engine's context ({@link EngineCamelContext}: no per-version HL7 type converters). */
    private static final class EngineMain extends Main {
        @Override
        protected CamelContext createCamelContext() {
            // As Main.createCamelContext: not built yet (camel-main builds it), our registry, the main class named.
            EngineCamelContext context = new EngineCamelContext(false);
            context.getCamelContextExtension().setRegistry(registry);
            context.getGlobalOptions().put("CamelMainClass", Main.class.getName());
            return context;
        }
    }

    /** The built-in billing receiver of {@code iep.billing.mode=local}, listening; a taken port named in one line. */
    private static BillingReceiver startLocalBilling(EngineSettings settings) throws Exception {
        BillingReceiver receiver = new BillingReceiver(settings.billingHost());
        try {
            receiver.start(settings.billingPort(), settings.dataDir().resolve("billing"), AcknowledgmentCode.AA);
            return receiver;
        } catch (Exception e) {
            receiver.close();
            throw bindProblem(e, "iep.billing.port", "iep.billing.host", settings.billingHost(),
                    settings.billingPort());
        }
    }

    /** A start-up step that can fail with a checked exception (most run on a thread of their own). */
    @FunctionalInterface
    interface StartStep<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code step} on a new daemon thread named {@code name} (so a profile or a thread dump names the step). Its
     * own thread rather than a pool: each runs once, at start-up.
     */
    private static <T> CompletableFuture<T> inBackground(String name, StartStep<T> step) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(step.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    /**
     * The step's result, or its own exception as it would have been thrown on this thread (a SettingsException stays
     * a SettingsException, so the one-line start-up errors read as before).
     */
    private static <T> T await(CompletableFuture<T> step) throws Exception {
        try {
            return step.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    /** Start-up failed elsewhere: closes what {@code step} opened, once it has finished (it cannot be cut short). */
    private static void closeWhenDone(CompletableFuture<? extends AutoCloseable> step) {
        try {
            AutoCloseable opened = step.get();
            if (opened != null) {
                opened.close();
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // The step failed too, or cannot be closed; the first failure is what the user sees.
        }
    }

    /** {@code held}: whether the ledger granted this node's name (JdbcLedger.holdNodeName). */
    private static void requireNodeName(boolean held, EngineSettings settings) {
        if (!held) {
            throw new SettingsException("Setting iep.node = " + settings.nodeName() + ": another running node uses"
                    + " this name on the same ledger; give every node its own iep.node");
        }
    }

    /** Start-up failed elsewhere: waits for {@code step} to end, whatever its outcome (the first failure is shown). */
    private static void awaitQuietly(CompletableFuture<?> step) {
        try {
            step.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // The step failed too; the first failure is what the user sees.
        }
    }

    /** DFTs one billing connection claims at a time. */
    private static final int OUTBOX_BATCH = 64;

    /** The route template in billing-outbound.camel.yaml: one route per billing connection is made from it. */
    static final String BILLING_TEMPLATE = "billing-outbound";

    /**
     * One route per billing connection ({@code iep.billing.connections}), {@code billing-outbound-1} … {@code -N},
     * from the route template {@value #BILLING_TEMPLATE}: each route's {@code to:} has a producer, and so a connection,
     * of its own (a camel-mllp producer is one socket, used by one exchange at a time). The routes claim and send
     * independently; the claim keeps each order's DFTs in sequence whichever route sends them. Each carries the
     * template's route policy ({@code billingSender}). {@code stopped}: made with autoStartup off (the context's
     * start-up summary lists them as "Disabled"), for the engine to start once billing's built-in stand-in listens.
     */
    private static void startBillingConnections(CamelContext camel, EngineSettings settings, boolean stopped)
            throws Exception {
        if (((org.apache.camel.model.ModelCamelContext) camel).getRouteTemplateDefinition(BILLING_TEMPLATE) == null) {
            throw new SettingsException("The route files hold no route template '" + BILLING_TEMPLATE + "' (the"
                    + " outbound route of billing-outbound.camel.yaml); routes from an older version must be updated");
        }
        for (int lane = 1; lane <= settings.billingConnections(); lane++) {
            String id = org.apache.camel.builder.TemplatedRouteBuilder.builder(camel, BILLING_TEMPLATE)
                    .routeId(BILLING_TEMPLATE + "-" + lane).parameter("connection", String.valueOf(lane)).add();
            if (stopped) {
                ((org.apache.camel.model.ModelCamelContext) camel).getRouteDefinition(id).setAutoStartup("false");
            }
        }
    }

    /** Route files inside the jar, loaded when no route folder is given or found (see EngineSettings). */
    static final String BUILT_IN_ROUTES = "classpath:routes/*.camel.yaml";

    private static String routesPattern(EngineSettings settings) {
        return settings.routesFolder().map(f -> "file:" + f.toAbsolutePath() + "/*.camel.yaml")
                .orElseGet(Engine::builtInRouteLocations);
    }

    /**
     * {@value #BUILT_IN_ROUTES} as one location per file ({@code classpath:routes/a.camel.yaml,…}), listed from the
     * jar's central directory, which reads no entry. camel-main resolves a wildcard inside a jar by reading the whole
     * jar through a JarInputStream, and does it twice before the context starts (for modelines, then for the routes)
     * on the thread whose work the LIS listener waits for (docs/operating.md "Start-up"). The wildcard itself when the
     * routes are not in a jar (a run from target/classes) or the jar cannot be listed.
     */
    static String builtInRouteLocations() {
        java.net.URL folder = Engine.class.getClassLoader().getResource("routes/");
        if (folder == null || !"jar".equals(folder.getProtocol())) {
            return BUILT_IN_ROUTES;
        }
        String path = folder.getPath(); // file:/…/iep-charge-router.jar!/routes/
        int separator = path.indexOf("!/");
        if (separator < 0) {
            return BUILT_IN_ROUTES;
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(
                new java.io.File(new java.net.URI(path.substring(0, separator))))) {
            java.util.List<String> files = jar.stream().map(java.util.jar.JarEntry::getName)
                    .filter(n -> n.startsWith("routes/") && n.endsWith(".camel.yaml") && n.indexOf('/', 7) < 0)
                    .sorted().map(n -> "classpath:" + n).toList();
            return files.isEmpty() ? BUILT_IN_ROUTES : String.join(",", files);
        } catch (java.io.IOException | java.net.URISyntaxException | RuntimeException e) {
            return BUILT_IN_ROUTES;
        }
    }

    /**
     * "billing-outbound.camel.yaml, … from folder /x/routes" or "… built into the jar": the files the routes pattern
     * matched (as camel-main resolved them), so an operator sees which routes run and from where.
     */
    private static String describeRoutes(CamelContext camel, EngineSettings settings) {
        java.util.Set<String> files = new java.util.TreeSet<>();
        try {
            for (String location : routesPattern(settings).split(",")) {
                for (org.apache.camel.spi.Resource resource : org.apache.camel.support.PluginHelper
                        .getPackageScanResourceResolver(camel).findResources(location)) {
                    String name = resource.getLocation();
                    files.add(name.substring(name.lastIndexOf('/') + 1));
                }
            }
        } catch (Exception e) {
            camel.getRoutes().forEach(r -> files.add("route " + r.getRouteId()));
        }
        return String.join(", ", files) + settings.routesFolder()
                .map(f -> " from folder " + f.toAbsolutePath().normalize())
                .orElse(" built into the jar (" + BUILT_IN_ROUTES + "; set iep.routes to a folder to use your own)");
    }

    /** Starts camel-main; a listener that cannot bind (taken between the check and now) is reported in one line. */
    private static void startListening(Main main, EngineSettings settings) throws Exception {
        try {
            main.start();
        } catch (Exception e) {
            throw bindProblem(e, "iep.inbound.port", "iep.inbound.host", settings.inboundHost(),
                    settings.inboundPort());
        }
    }

    /** Starts the operator side; a port taken between the check and now is reported in one line. */
    private static void startOps(OpsServer ops, CamelContext camel, EngineSettings settings) throws Exception {
        try {
            ops.started(camel);
        } catch (Exception e) {
            throw bindProblem(e, "iep.http.port", "iep.http.host", settings.http().host(), settings.http().port());
        }
    }

    private static Exception bindProblem(Exception e, String portKey, String hostKey, String host, int port) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.BindException bind) {
                return ListenPorts.portProblem(portKey, hostKey, host, port, bind);
            }
        }
        return e;
    }

    /** camel-hl7's decoder, handing over bytes so the edge can decode with the charset MSH-18 names. */
    private static HL7MLLPNettyDecoderFactory hl7Decoder() {
        HL7MLLPNettyDecoderFactory decoder = new HL7MLLPNettyDecoderFactory();
        decoder.setProduceString(false);
        decoder.setConvertLFtoCR(false);
        return decoder;
    }

    /** The URL without its options (a PostgreSQL URL may carry a password there). */
    private static String ledgerName(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    public JdbcLedger ledger() {
        return ledger;
    }

    public EngineSettings settings() {
        return settings;
    }

    /** Whether this node delivers to billing now (always, unless iep.billing.singleSender makes it leader-only). */
    public boolean deliveringToBilling() {
        return billingSender.delivering();
    }

    public int openConnections() {
        return connections.openConnections();
    }

    private static void stopQuietly(Main main) {
        try {
            main.stop();
        } catch (RuntimeException ignored) {
            // Start-up already failed; the original exception is what the user sees.
        }
    }

    /**
     * The engine's running totals: inbound messages by ACK code and outcome, ACK time, billing attempts by verdict.
     * (Read them here: a composite registry answers from whichever child it iterates first, the per-minute log's
     * included.)
     */
    public io.micrometer.core.instrument.MeterRegistry meters() {
        return totals;
    }

    @Override
    public void close() {
        stopQuietly(main);
        if (opsVertx != null) {
            opsVertx.close();
        }
        // The routes are stopped: no more answers come. Commit what they handed over before the ledger closes.
        answers.close();
        if (ops != null) {
            ops.close();
        }
        meters.close();
        if (localBilling != null) {
            localBilling.close();
        }
        ledger.close();
        LOG.info("IEP charge router stopped");
    }
}
