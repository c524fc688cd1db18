package org.iepcharge.cli;

import java.util.List;
import java.util.concurrent.Callable;

import org.iepcharge.camel.Engine;
import org.iepcharge.camel.EngineSettings;
import org.iepcharge.camel.SettingsException;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.ledger.LedgerException;
import org.iepcharge.rules.RulesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code holds}: the lines the engine would not guess about, for an analyst. Works while the engine runs (the default
 * H2 ledger accepts a second process) and when it is stopped. Lists identifiers, never names.
 */
@Command(name = "holds", description = "List held charge lines; release or discard one.",
        subcommands = {HoldsCommand.Release.class, HoldsCommand.Discard.class})
final class HoldsCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        return withLedger((settings, ledger) -> {
            List<HoldRecord> holds = ledger.read(s -> s.allOpenHolds());
            if (holds.isEmpty()) {
                System.out.println("no open holds");
                return 0;
            }
            System.out.printf("%-6s %-26s %-30s %-6s %-5s %-24s %s%n", "ID", "REASON", "ORDER", "CPT", "LINE",
                    "PATIENT KEY", "SINCE");
            for (HoldRecord h : holds) {
                System.out.printf("%-6d %-26s %-30s %-6s %-5s %-24s %s%n", h.id(), h.reasonCode(), h.orderKey(),
                        h.cpt(), h.kind(), h.patientKey(), h.createdAt());
                System.out.println("       " + h.reasonText());
            }
            return 0;
        });
    }

    @Command(name = "release", description = "Re-evaluate a held line with the current rules: post it or keep it held.")
    static final class Release implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "Hold ID (from `holds`).")
        long id;

        @Override
        public Integer call() {
            return withLedger((settings, ledger) -> {
                ChargeCapture capture = Engine.newCapture(settings, Engine.rules(settings), ledger);
                ChargeCapture.ReleaseResult result = capture.releaseHold(id);
                switch (result) {
                    case POSTED -> System.out.println("hold " + id + " released: charge queued for billing");
                    case HELD_AGAIN -> System.out.println("hold " + id + " re-evaluated: still held (see `holds`)");
                    case ALREADY_CHARGED -> System.out.println("hold " + id
                            + " closed: the order's lines were already posted, nothing posted twice");
                    case NOT_OPEN -> System.err.println("hold " + id + " is not open");
                    default -> throw new IllegalStateException(result.name());
                }
                return result == ChargeCapture.ReleaseResult.NOT_OPEN ? 1 : 0;
            });
        }
    }

    @Command(name = "discard", description = "Close a held line without posting it, with a reason for the audit.")
    static final class Discard implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "Hold ID (from `holds`).")
        long id;

        @Option(names = "--reason", required = true, description = "Why the line is not charged (kept as audit).")
        String reason;

        @Override
        public Integer call() {
            return withLedger((settings, ledger) -> {
                ChargeCapture capture = Engine.newCapture(settings, Engine.rules(settings), ledger);
                if (!capture.discardHold(id, reason)) {
                    System.err.println("hold " + id + " is not open");
                    return 1;
                }
                System.out.println("hold " + id + " discarded: " + reason);
                return 0;
            });
        }
    }

    interface LedgerAction {
        int run(EngineSettings settings, JdbcLedger ledger);
    }

    /** Opens the engine's ledger from the engine's settings; errors become one line, never a stack trace. */
    static int withLedger(LedgerAction action) {
        EngineSettings settings;
        try {
            settings = EngineSettings.fromEnvironment();
        } catch (SettingsException e) {
            System.err.println("iep-charge-router: " + e.getMessage());
            return 2;
        }
        try (CliLogging quiet = CliLogging.quiet("org.flywaydb", "org.apache.camel");
             JdbcLedger ledger = JdbcLedger.open(settings.ledgerUrl(), settings.ledgerUser(),
                settings.ledgerPassword())) {
            return action.run(settings, ledger);
        } catch (RulesException | LedgerException e) {
            System.err.println("iep-charge-router: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            System.err.println("iep-charge-router: cannot open the ledger at " + settings.ledgerUrl().split(";")[0]
                    + " (" + e.getClass().getSimpleName() + ")");
            return 2;
        }
    }
}
