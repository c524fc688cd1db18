package org.iepcharge.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.iepcharge.ledger.Ledger;
import org.iepcharge.ledger.OpsQueries;
import org.iepcharge.rules.RuleSet;

/**
 * The engine's own Camel health checks, next to Camel's route and consumer checks on {@code /observe/health}
 * ({@code /observe/health/live}, {@code /observe/health/ready}). Readiness: the ledger answers, the LIS listener's
 * route is started, the rules are loaded. Billing is reported, never a reason to be not ready: the engine keeps
 * accepting and the outbox keeps the DFTs; a billing outage shows as {@code billing.state=degraded} with the age of
 * the oldest undelivered DFT: as soon as a DFT has failed an attempt, one is parked, or one waits over a minute.
 */
public final class OpsHealth {
    /** An undelivered DFT older than this means billing is not taking them (normal delivery takes well under 1 s). */
    static final Duration DEGRADED_AFTER = Duration.ofSeconds(60);

    private OpsHealth() {
    }

    public static List<HealthCheck> checks(Ledger ledger, Optional<Path> ledgerFile, String lisRouteId,
                                           Supplier<RuleSet> rules) {
        return List.of(new LedgerCheck(ledger, ledgerFile), new LisListenerCheck(lisRouteId),
                new RulesCheck(rules), new BillingCheck(ledger), new AliveCheck());
    }

    /** The embedded ledger's file, when the URL names one (SQLite), for the readiness check. */
    public static Optional<Path> ledgerFile(String url) {
        if (url.startsWith("jdbc:sqlite:") && !url.contains(":memory:")) {
            return Optional.of(Path.of(url.substring("jdbc:sqlite:".length()).split("\\?")[0]));
        }
        return Optional.empty();
    }

    private abstract static class ReadinessCheck extends AbstractHealthCheck {
        ReadinessCheck(String id) {
            super("iep", id);
        }

        @Override
        public boolean isLiveness() {
            return false;
        }
    }

    static final class LedgerCheck extends ReadinessCheck {
        private final Ledger ledger;
        private final Optional<Path> file;

        LedgerCheck(Ledger ledger, Optional<Path> file) {
            super("ledger");
            this.ledger = ledger;
            this.file = file;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            // An embedded database already open in this process may keep answering from its open file handle:
            // the file itself is checked too, so a file that was removed or made unreadable shows at once.
            if (file.isPresent() && !readable(file.get())) {
                builder.detail("ledger.file", file.get().getFileName().toString());
                builder.message("ledger file missing or unreadable").down();
                return;
            }
            try {
                ledger.read(s -> {
                    OpsQueries.ping(s);
                    return null;
                });
                builder.up();
            } catch (RuntimeException e) {
                builder.message("ledger does not answer (" + e.getClass().getSimpleName() + ")").down();
            }
        }
    }

    /**
     * The file exists and can be read — by permission bits too: a process running as root reads any file, yet a
     * file an operator made unreadable (chmod a-r) is one the next start-up, as a service user, could not open.
     */
    static boolean readable(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            return false;
        }
        try {
            return Files.getPosixFilePermissions(file).contains(java.nio.file.attribute.PosixFilePermission.OWNER_READ);
        } catch (UnsupportedOperationException | java.io.IOException e) {
            return true;
        }
    }

    static final class LisListenerCheck extends ReadinessCheck {
        private final String routeId;

        LisListenerCheck(String routeId) {
            super("lis-listener");
            this.routeId = routeId;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            CamelContext context = getCamelContext();
            ServiceStatus status = context == null ? null : context.getRouteController().getRouteStatus(routeId);
            builder.detail("route", routeId);
            if (status != null && status.isStarted()) {
                builder.up();
            } else {
                builder.message("LIS listener route " + routeId + " is " + (status == null ? "missing" : status))
                        .down();
            }
        }
    }

    static final class RulesCheck extends ReadinessCheck {
        private final Supplier<RuleSet> rules;

        RulesCheck(Supplier<RuleSet> rules) {
            super("rules");
            this.rules = rules;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            RuleSet r = rules.get();
            if (r == null) {
                builder.message("no rules loaded").down();
                return;
            }
            builder.detail("rules.version", r.version());
            builder.up();
        }
    }

    /** Always UP for readiness (the engine keeps accepting); {@code billing.state} says ok or degraded. */
    static final class BillingCheck extends ReadinessCheck {
        private final Ledger ledger;

        BillingCheck(Ledger ledger) {
            super("billing");
            this.ledger = ledger;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            try {
                OpsQueries.OutboxState state = ledger.read(OpsQueries::outboxState);
                long age = state.oldestUndelivered() == null ? 0
                        : Math.max(0, Duration.between(state.oldestUndelivered(), Instant.now()).toSeconds());
                boolean degraded = age >= DEGRADED_AFTER.toSeconds() || state.parked() > 0 || state.failing() > 0;
                builder.detail("billing.state", degraded ? "degraded" : "ok");
                builder.detail("outbox.pending", state.pending());
                builder.detail("outbox.parked", state.parked());
                builder.detail("outbox.failing", state.failing());
                builder.detail("outbox.oldestUndeliveredSeconds", age);
                if (degraded) {
                    builder.message("billing degraded: oldest undelivered DFT is " + age + " s old, "
                            + state.failing() + " failing, " + state.parked() + " parked");
                }
            } catch (RuntimeException e) {
                // The ledger check reports the ledger; here it only means the outbox state is unknown.
                builder.detail("billing.state", "unknown");
            }
            builder.up();
        }
    }

    /** Liveness: the JVM answers and Camel is not stopped. */
    static final class AliveCheck extends AbstractHealthCheck {
        AliveCheck() {
            super("iep", "engine");
        }

        @Override
        public boolean isReadiness() {
            return false;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            CamelContext context = getCamelContext();
            if (context != null && !context.isStopped()) {
                builder.up();
            } else {
                builder.down();
            }
        }
    }
}
