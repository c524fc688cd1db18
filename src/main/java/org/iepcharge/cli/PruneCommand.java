package org.iepcharge.cli;

import java.util.concurrent.Callable;

import org.iepcharge.ledger.LedgerRetention;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code prune}: one run of the ledger retention job now (the engine runs it every iep.retention.periodMinutes), with
 * the engine's settings iep.retention.rawDays and iep.retention.correctionDays. Safe while the engine runs.
 */
@Command(name = "prune", description = {
        "Erase raw inbound message bytes older than iep.retention.rawDays (default 30) and delete finished orders and"
                + " duplicate-detection keys older than iep.retention.correctionDays (default 396). Nothing of an"
                + " order with a pending or parked DFT or an open hold is touched.",
        "Exit code: 0 on success, 2 when the settings or the ledger cannot be used."})
final class PruneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return LedgerCommand.withLedger(spec, (settings, ledger) -> {
            LedgerRetention.Result result = new LedgerRetention(ledger, settings.retentionRawDays(),
                    settings.retentionCorrectionDays()).prune();
            spec.commandLine().getOut().println(result);
            return 0;
        });
    }
}
