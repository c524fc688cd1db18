package org.iepcharge.ops;

import java.sql.SQLException;
import java.time.Instant;

import org.iepcharge.capture.CaptureAssembly;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.config.EngineSettings;
import org.iepcharge.ledger.Ledger;
import org.iepcharge.ledger.LedgerSession;
import org.iepcharge.ledger.OpsQueries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analyst's actions on holds and parked DFTs, shared by the console and the command line ({@code holds release},
 * {@code outbox retry}, ...). Each one needs a reason and leaves an audit record in the ledger: who, when, what, why,
 * and what came of it (also when it changed nothing, e.g. a hold that was already closed).
 */
public final class OperatorActions {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorActions.class);

    /** What one action did; {@code done} false = the target was not in a state the action applies to. */
    public record Result(boolean done, String outcome, String message) {
    }

    private final EngineSettings settings;
    private final Ledger ledger;

    public OperatorActions(EngineSettings settings, Ledger ledger) {
        this.settings = settings;
        this.ledger = ledger;
    }

    /** With the rules file as it is now: a release re-evaluates after the analyst fixed the rules, say. */
    private ChargeCapture capture() {
        return CaptureAssembly.newCapture(settings, CaptureAssembly.rules(settings), ledger);
    }

    /** Re-evaluates a held line with the current rules: posts it or keeps it held. */
    public Result releaseHold(String actor, long holdId, String reason) {
        String why = requireReason(reason);
        String target = "hold " + holdId;
        ChargeCapture.ReleaseResult r = capture().releaseHold(holdId,
                (s, released) -> audit(s, actor, "HOLD_RELEASE", target, why, released.name()));
        Result result = switch (r) {
            case POSTED -> new Result(true, r.name(), "hold " + holdId + " released: charge queued for billing");
            case HELD_AGAIN -> new Result(true, r.name(), "hold " + holdId + " re-evaluated: still held as hold "
                    + holdId + ledger.read(s -> s.holds().find(holdId)).map(h -> " (" + h.reasonCode() + ")").orElse("")
                    + " (see `holds`)");
            case ALREADY_CHARGED -> new Result(true, r.name(), "hold " + holdId
                    + " closed: the order's lines were already posted, nothing posted twice");
            case NOT_OPEN -> new Result(false, r.name(), "hold " + holdId + " is not open");
        };
        return logged(actor, "HOLD_RELEASE", target, result);
    }

    /** Closes a held line without posting it. */
    public Result discardHold(String actor, long holdId, String reason) {
        String why = requireReason(reason);
        String target = "hold " + holdId;
        boolean done = capture().discardHold(holdId, why,
                (s, discarded) -> audit(s, actor, "HOLD_DISCARD", target, why, discarded ? "DISCARDED" : "NOT_OPEN"));
        Result result = done ? new Result(true, "DISCARDED", "hold " + holdId + " discarded: " + why)
                : new Result(false, "NOT_OPEN", "hold " + holdId + " is not open");
        return logged(actor, "HOLD_DISCARD", target, result);
    }

    /** Puts a parked DFT back in the queue (same MSH-10 and bytes). */
    public Result retryDft(String actor, long outboxId, String reason) {
        String why = requireReason(reason);
        String target = "outbox " + outboxId;
        boolean done = ledger.retryParked(outboxId,
                (s, queued) -> audit(s, actor, "DFT_RETRY", target, why, queued ? "QUEUED" : "NOT_PARKED"));
        Result result = done ? new Result(true, "QUEUED", "outbox " + outboxId + " queued again for billing")
                : new Result(false, "NOT_PARKED", "outbox ID " + outboxId + " is not a parked DFT");
        return logged(actor, "DFT_RETRY", target, result);
    }

    /** Closes a parked DFT for good. */
    public Result discardDft(String actor, long outboxId, String reason) {
        String why = requireReason(reason);
        String target = "outbox " + outboxId;
        boolean done = ledger.discardParked(outboxId, why,
                (s, discarded) -> audit(s, actor, "DFT_DISCARD", target, why, discarded ? "DISCARDED" : "NOT_PARKED"));
        Result result = done ? new Result(true, "DISCARDED", "outbox " + outboxId + " discarded: " + why)
                : new Result(false, "NOT_PARKED", "outbox ID " + outboxId + " is not a parked DFT");
        return logged(actor, "DFT_DISCARD", target, result);
    }

    /** The actor recorded for the command line: the operating-system user who ran it. */
    public static String commandLineUser() {
        return "cli:" + System.getProperty("user.name", "unknown");
    }

    /** The reason, stripped; a blank one is refused before anything changes. */
    public static String requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a reason is required (it is kept in the audit trail)");
        }
        return reason.strip();
    }

    /** The audit row, written by the action's own transaction (docs/operating.md, "Audit trail"). */
    private static void audit(LedgerSession s, String actor, String action, String target, String reason,
                              String outcome) throws SQLException {
        OpsQueries.audit(s, Instant.now(), actor, action, target, reason, outcome);
    }

    private static Result logged(String actor, String action, String target, Result result) {
        // Who and what only: the reason is free text and may name a patient.
        LOG.info("operator {} {} {} -> {}", actor, action, target, result.outcome());
        return result;
    }
}
