package org.iepcharge.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.iepcharge.camel.Engine;
import org.iepcharge.camel.EngineSettings;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.capture.RulesLinePlanner;
import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.Outcome;
import org.iepcharge.edge.Inbound;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.ledger.Ledger;
import org.iepcharge.ledger.StoredLine;
import org.iepcharge.rules.Decision;
import org.iepcharge.rules.RuleSet;

/**
 * {@code explain}: runs the given messages, in order, through the engine's own edge, capture and rules against a
 * scratch in-memory ledger — so the real ledger is only read — and, when the engine's ledger holds the same messages,
 * reports what the engine itself did with them. The replay takes each DFT as delivered before the next message.
 */
public final class Explainer {

    /** What one message led to in the replay, and what the engine recorded for it (if it saw it). */
    public record Explanation(FileMessage source, Inbound inbound, Outcome outcome, List<Decision> decisions,
                              List<StoredLine> lines, List<HoldRecord> holds, Optional<EngineRecord> engine) {
    }

    /** The engine's own record of a message: its answer, the lines it posted and the holds it opened. */
    public record EngineRecord(Instant receivedAt, Outcome outcome, List<StoredLine> lines, List<HoldRecord> holds) {
    }

    private final EngineSettings settings;
    private final RuleSet rules;

    public Explainer(EngineSettings settings, RuleSet rules) {
        this.settings = settings;
        this.rules = rules;
    }

    public List<Explanation> explain(List<FileMessage> messages, Optional<Ledger> engineLedger) {
        List<Decision> decisions = new ArrayList<>();
        String scratchUrl = "jdbc:h2:mem:explain-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (JdbcLedger scratch = JdbcLedger.open(scratchUrl, "sa", "")) {
            ChargeCapture capture = Engine.newCapture(settings, rules, ledgerPlanner(decisions), scratch);
            InboundEdge edge = new InboundEdge(settings.inboundCharset());
            List<Explanation> out = new ArrayList<>();
            for (FileMessage m : messages) {
                decisions.clear();
                Inbound in = edge.read(m.payload());
                Outcome outcome = capture.capture(in);
                String hash = ChargeCapture.sha256(m.payload());
                String sender = in.header() == null ? "" : in.header().sender();
                String controlId = in.header() == null ? "" : in.header().controlId();
                List<StoredLine> lines = scratch.read(s -> {
                    Optional<Long> id = s.inboundId(sender, controlId, hash);
                    return id.isEmpty() ? List.<StoredLine>of() : s.linesFromMessage(id.get());
                });
                List<HoldRecord> holds = scratch.read(s -> {
                    Optional<Long> id = s.inboundId(sender, controlId, hash);
                    return id.isEmpty() ? List.<HoldRecord>of() : s.holdsFromMessage(id.get());
                });
                Optional<EngineRecord> engine = engineLedger.flatMap(l -> l.read(s -> {
                    Optional<Long> id = s.inboundId(sender, controlId, hash);
                    if (id.isEmpty()) {
                        return Optional.<EngineRecord>empty();
                    }
                    Outcome answered = s.findAnswer(sender, controlId, hash).orElseThrow().outcome();
                    return Optional.of(new EngineRecord(s.receivedAt(id.get()).orElse(null), answered,
                            s.linesFromMessage(id.get()), s.holdsFromMessage(id.get())));
                }));
                out.add(new Explanation(m, in, outcome, List.copyOf(decisions), lines, holds, engine));
                // The replay assumes billing received each DFT before the next message came (as it normally does
                // within a poll): a later cancel then credits the charge instead of withdrawing it unsent.
                for (var item : scratch.undelivered()) {
                    if ("PENDING".equals(item.status())) {
                        scratch.markDelivered(item.id(), "AA");
                    }
                }
            }
            return out;
        }
    }

    private java.util.function.Function<RuleSet, RulesLinePlanner> ledgerPlanner(List<Decision> sink) {
        return r -> new RulesLinePlanner(r, sink::add);
    }

    /** The text an analyst reads. */
    public String render(List<Explanation> explanations) {
        StringBuilder sb = new StringBuilder();
        sb.append("Rules: ").append(rules.source()).append(" (version ").append(rules.version()).append(")\n");
        for (Explanation e : explanations) {
            String type = e.inbound().header() == null ? "(no MSH)" : e.inbound().header().type();
            String id = e.inbound().header() == null ? "" : e.inbound().header().controlId();
            sb.append('\n').append("== ").append(e.source().source()).append(" #").append(e.source().index())
                    .append(": ").append(type).append(" MSH-10 ").append(id).append('\n');
            Outcome o = e.outcome();
            sb.append("   answer: ").append(o.ackCode().isEmpty() ? "none (an ACK is never acknowledged)"
                    : o.ackCode()).append(o.errorCode() == 0 ? "" : " ERR-3 " + o.errorCode() + " at "
                    + o.errorLocation() + ": " + o.errorText()).append("; outcome ").append(o.disposition())
                    .append('\n');
            if (e.inbound().message() != null && e.decisions().isEmpty() && e.lines().isEmpty()
                    && e.holds().isEmpty()) {
                sb.append("   no charge decision: ").append(noDecisionReason(e)).append('\n');
            }
            for (Decision d : e.decisions()) {
                sb.append("   decision (").append(d.outcome()).append("):\n");
                int n = 1;
                for (var t : d.trace()) {
                    sb.append(String.format("     %2d. %s%n         saw: %s%n         -> %s%s%n", n++, t.rule(),
                            t.saw(), t.outcome(), t.fact().isEmpty() ? "" : "   [rests on " + t.fact() + "]"));
                }
            }
            for (StoredLine l : e.lines()) {
                sb.append("   line: ").append(describe(l.line())).append(" — ").append(l.status().equals("POSTED")
                        ? "posted (CG)" : l.status().toLowerCase()).append('\n');
            }
            for (HoldRecord h : e.holds()) {
                sb.append("   held: ").append(h.reasonCode()).append(" — ").append(h.reasonText()).append('\n');
            }
            e.engine().ifPresentOrElse(r -> {
                sb.append("   engine: received ").append(r.receivedAt()).append(", answered ")
                        .append(r.outcome().ackCode().isEmpty() ? "nothing" : r.outcome().ackCode()).append(", ")
                        .append(r.outcome().disposition()).append('\n');
                for (StoredLine l : r.lines()) {
                    sb.append("     posted FT1-2 ").append(l.line().transactionId()).append(": ")
                            .append(describe(l.line())).append(" (rules version ").append(l.rulesVersion())
                            .append(", now ").append(l.status().toLowerCase()).append(")\n");
                }
                for (HoldRecord h : r.holds()) {
                    sb.append("     hold ").append(h.id()).append(": ").append(h.reasonCode()).append(" (")
                            .append(h.status().toLowerCase()).append(")\n");
                }
            }, () -> sb.append("   engine: this message is not in the engine's ledger\n"));
        }
        return sb.toString();
    }

    private static String noDecisionReason(Explanation e) {
        return switch (e.outcome().disposition()) {
            case IGNORED -> e.inbound().message().isOrder()
                    ? "an order: its context (payer, diagnoses, ABN, provider) is stored for the result, or no test"
                    + " is in the charge master (recognition is by code only, docs/decision-contract.md §3)"
                    : "no charge-master test with a first final result (interim, a further final, or not in the"
                    + " charge master: recognition is by code only, docs/decision-contract.md §3/§7)";
            default -> "see the answer above";
        };
    }

    static String describe(ChargeLine l) {
        return l.kind() + " line CPT " + l.cpt() + " modifiers " + (l.modifiers().isEmpty() ? "(none)"
                : String.join(",", l.modifiers())) + " units " + l.units() + " date of service "
                + (l.dateOfService().length() >= 8 ? l.dateOfService().substring(0, 8) : l.dateOfService())
                + (l.performedBy().isEmpty() ? "" : " performed by " + l.performedBy().id());
    }
}
