package org.iepcharge.cli;

import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;

import org.iepcharge.ledger.Ledger;
import org.iepcharge.ledger.OutboxItem;
import org.iepcharge.ledger.OutboxStatus;
import org.iepcharge.ops.OperatorActions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code outbox}: the DFTs not yet delivered to billing, and what an analyst does with a parked one. Opens the ledger
 * the engine uses (same settings: system properties, environment, properties file); the default SQLite ledger runs in
 * WAL mode, so this works while the engine runs. Shows no patient data: IDs, order keys and billing's answer.
 */
@Command(name = "outbox", description = {
        "List the DFTs waiting for billing: PENDING (being delivered, retried with backoff) and PARKED (billing"
                + " refused the content; later DFTs of the same order wait behind it).",
        "Exit code: 0 on success, 1 when the ID is not a parked DFT, 2 when the settings or the ledger cannot be"
                + " used."},
        subcommands = {OutboxCommand.Retry.class, OutboxCommand.Discard.class}, sortOptions = false)
final class OutboxCommand implements Callable<Integer> {
    static final int EXIT_NOT_PARKED = 1;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return LedgerCommand.withLedger(spec, (settings, ledger) -> {
            PrintWriter out = spec.commandLine().getOut();
            List<OutboxItem> items = ledger.undelivered();
            out.println(table(items));
            long parked = items.stream().filter(i -> i.status() == OutboxStatus.PARKED).count();
            out.println((items.size() - parked) + " pending, " + parked + " parked");
            return 0;
        });
    }

    /** The listing: one line per DFT, no payload and no patient data. */
    static String table(List<OutboxItem> items) {
        String format = "%-8s %-20s %-24s %-8s %8s  %-19s  %s";
        StringBuilder b = new StringBuilder(String.format(format, "ID", "MSH-10", "ORDER", "STATUS", "ATTEMPTS",
                "NEXT ATTEMPT", "LAST ERROR"));
        for (OutboxItem i : items) {
            String next = i.status() == OutboxStatus.PARKED ? "-" : TIME.format(i.nextAttemptAt());
            b.append('\n').append(String.format(format, i.id(), i.controlId(), i.orderKey(), i.status(),
                    i.attempts(), next, i.lastError() == null ? "" : oneLine(i.lastError())).stripTrailing());
        }
        return b.toString();
    }

    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n\\t]+", " ");
    }


    @Command(name = "retry", description = "Put a parked DFT back in the queue: it is sent again (same MSH-10 and"
            + " bytes) and the DFTs of its order that waited behind it follow.")
    static final class Retry implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "The DFT's outbox ID (first column of 'outbox').")
        long id;

        @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "retried from the command line",
                description = "Why it is sent again (kept in the audit trail; default: ${DEFAULT-VALUE}).")
        String reason;

        @Override
        public Integer call() {
            if (reason.isBlank()) {
                spec.commandLine().getErr().println("error: --reason must say why the DFT is retried");
                return LedgerCommand.EXIT_UNUSABLE;
            }
            return LedgerCommand.withLedger(spec, (settings, ledger) -> {
                if (!new OperatorActions(settings, ledger).retryDft(OperatorActions.commandLineUser(), id, reason)
                        .done()) {
                    spec.commandLine().getErr().println("error: outbox ID " + id + " is not a parked DFT"
                            + describe(ledger, id) + "; only a parked DFT can be retried");
                    return EXIT_NOT_PARKED;
                }
                spec.commandLine().getOut().println("outbox " + id + " queued again for billing");
                return 0;
            });
        }
    }

    @Command(name = "discard", description = "Close a parked DFT for good, with your reason; the DFTs of its order"
            + " that waited behind it are then delivered. Billing never receives the discarded one again.")
    static final class Discard implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "The DFT's outbox ID (first column of 'outbox').")
        long id;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why it is discarded"
                + " (kept in the ledger).")
        String reason;

        @Override
        public Integer call() {
            if (reason.isBlank()) {
                spec.commandLine().getErr().println("error: --reason must say why the DFT is discarded");
                return LedgerCommand.EXIT_UNUSABLE;
            }
            return LedgerCommand.withLedger(spec, (settings, ledger) -> {
                if (!new OperatorActions(settings, ledger).discardDft(OperatorActions.commandLineUser(), id, reason)
                        .done()) {
                    spec.commandLine().getErr().println("error: outbox ID " + id + " is not a parked DFT"
                            + describe(ledger, id) + "; only a parked DFT can be discarded");
                    return EXIT_NOT_PARKED;
                }
                spec.commandLine().getOut().println("outbox " + id + " discarded: " + reason.strip());
                return 0;
            });
        }
    }

    /** " (it is PENDING)" when the ID is still waiting, "" when it is delivered, closed or unknown. */
    private static String describe(Ledger ledger, long id) {
        return ledger.undelivered().stream().filter(i -> i.id() == id).findFirst()
                .map(i -> " (it is " + i.status() + ")").orElse(" (no such undelivered DFT)");
    }
}
