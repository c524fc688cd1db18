package org.iepcharge.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ops.OperatorActions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code holds}: the lines the engine would not guess about, for an analyst. Works while the engine runs and when it
 * is stopped. Lists identifiers, never names.
 */
@Command(name = "holds", description = "List held charge lines; release or discard one.",
        subcommands = {HoldsCommand.Release.class, HoldsCommand.Discard.class})
final class HoldsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return LedgerCommand.withLedger(spec, (settings, ledger) -> {
            PrintWriter out = spec.commandLine().getOut();
            List<HoldRecord> holds = ledger.read(s -> s.holds().allOpen());
            if (holds.isEmpty()) {
                out.println("no open holds");
                return 0;
            }
            out.printf("%-6s %-30s %-30s %-6s %-5s %-24s %s%n", "ID", "REASON", "ORDER", "CPT", "LINE",
                    "PATIENT KEY", "SINCE");
            for (HoldRecord h : holds) {
                out.printf("%-6d %-30s %-30s %-6s %-5s %-24s %s%n", h.id(), h.reasonCode(), h.orderKey(), h.cpt(),
                        h.kind(), h.patientKey(), h.createdAt());
                out.println("       " + h.reasonText());
            }
            return 0;
        });
    }

    @Command(name = "release", description = "Re-evaluate a held line with the current rules: post it or keep it held.")
    static final class Release implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "Hold ID (from `holds`).")
        long id;

        @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "released from the command line",
                description = "Why it is released (kept in the audit trail; default: ${DEFAULT-VALUE}).")
        String reason;

        @Override
        public Integer call() {
            if (reason.isBlank()) {
                spec.commandLine().getErr().println("error: --reason must say why the hold is released");
                return LedgerCommand.EXIT_UNUSABLE;
            }
            return LedgerCommand.withLedger(spec, (settings, ledger) -> {
                OperatorActions.Result result = new OperatorActions(settings, ledger)
                        .releaseHold(OperatorActions.commandLineUser(), id, reason);
                if (!result.done()) {
                    spec.commandLine().getErr().println("error: " + result.message());
                    return 1;
                }
                spec.commandLine().getOut().println(result.message());
                return 0;
            });
        }
    }

    @Command(name = "discard", description = "Close a held line without posting it, with a reason for the audit.")
    static final class Discard implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "Hold ID (from `holds`).")
        long id;

        @Option(names = "--reason", required = true, description = "Why the line is not charged (kept as audit).")
        String reason;

        @Override
        public Integer call() {
            if (reason.isBlank()) {
                spec.commandLine().getErr().println("error: --reason must say why the line is not charged");
                return LedgerCommand.EXIT_UNUSABLE;
            }
            return LedgerCommand.withLedger(spec, (settings, ledger) -> {
                OperatorActions.Result result = new OperatorActions(settings, ledger)
                        .discardHold(OperatorActions.commandLineUser(), id, reason);
                if (!result.done()) {
                    spec.commandLine().getErr().println("error: " + result.message());
                    return 1;
                }
                spec.commandLine().getOut().println(result.message());
                return 0;
            });
        }
    }
}
