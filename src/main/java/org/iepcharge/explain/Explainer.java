package org.iepcharge.explain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.iepcharge.capture.CaptureAssembly;
import org.iepcharge.config.EngineSettings;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.capture.RulesLinePlanner;
import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.Outcome;
import org.iepcharge.edge.Inbound;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.ledger.CancelState;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.ledger.Ledger;
import org.iepcharge.ledger.LedgerException;
import org.iepcharge.ledger.LineStatus;
import org.iepcharge.ledger.OutboxStatus;
import org.iepcharge.ledger.StoredLine;
import org.iepcharge.rules.Decision;
import org.iepcharge.rules.RuleSet;

/**
 * {@code explain}: runs the given messages, in order, through the engine's own edge, capture and rules against a
 * scratch ledger (a temporary SQLite file) — so the real ledger is only read — and, when the engine's ledger holds the same messages,
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

    /** A line or hold with the message (of the replay) that made it. */
    public record Made<T>(T item, Explanation by) {
    }

    /**
     * What exists for one charge-master test of an order after the last message — its lines (posted, credited or
     * withdrawn) and holds, each with the message that made it — and the test's own state. The line identity is
     * (order, CPT, kind) (docs/decision-contract.md §4): a second test of the same order has its own entry.
     *
     * @param order the order's numbers as kept with its lines (placer and filler with namespaces), if it has lines
     */
    public record OrderTest(String orderKey, String cpt, Optional<OrderKey> order, boolean finalSeen,
                            CancelState cancelState, List<Made<StoredLine>> lines, List<Made<HoldRecord>> holds) {
    }

    /** The whole replay: message by message, then per (order, CPT). */
    public record Report(List<Explanation> messages, List<OrderTest> tests) {
    }

    private final EngineSettings settings;
    private final RuleSet rules;

    public Explainer(EngineSettings settings, RuleSet rules) {
        this.settings = settings;
        this.rules = rules;
    }

    public List<Explanation> explain(List<FileMessage> messages, Optional<Ledger> engineLedger) {
        return report(messages, engineLedger).messages();
    }

    /** The replay, message by message and per (order, CPT) (see {@link OrderTest}). */
    public Report report(List<FileMessage> messages, Optional<Ledger> engineLedger) {
        List<Decision> decisions = new ArrayList<>();
        List<Long> scratchIds = new ArrayList<>();
        // A throw-away SQLite file, not an in-memory database: the ledger refuses one (it would keep nothing), and
        // the scratch run should go through the same ledger code as the engine.
        Path scratchDir;
        try {
            scratchDir = Files.createTempDirectory("iep-explain-");
        } catch (IOException e) {
            throw new LedgerException("cannot create a scratch ledger folder (" + e.getMessage() + ")", e);
        }
        try (JdbcLedger scratch = JdbcLedger.open(JdbcLedger.sqliteFileUrl(scratchDir), "", "")) {
            ChargeCapture capture = CaptureAssembly.newCapture(settings, rules, ledgerPlanner(decisions), scratch);
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
                    Optional<Long> id = s.inbound().id(sender, controlId, hash);
                    return id.isEmpty() ? List.<StoredLine>of() : s.lines().fromMessage(id.get());
                });
                List<HoldRecord> holds = scratch.read(s -> {
                    Optional<Long> id = s.inbound().id(sender, controlId, hash);
                    return id.isEmpty() ? List.<HoldRecord>of() : s.holds().fromMessage(id.get());
                });
                Optional<EngineRecord> engine = engineLedger.flatMap(l -> l.read(s -> {
                    Optional<Long> id = s.inbound().id(sender, controlId, hash);
                    if (id.isEmpty()) {
                        return Optional.<EngineRecord>empty();
                    }
                    Outcome answered = s.inbound().findAnswer(sender, controlId, hash).orElseThrow().outcome();
                    return Optional.of(new EngineRecord(s.inbound().receivedAt(id.get()).orElse(null), answered,
                            s.lines().fromMessage(id.get()), s.holds().fromMessage(id.get())));
                }));
                out.add(new Explanation(m, in, outcome, List.copyOf(decisions), lines, holds, engine));
                scratchIds.add(scratch.read(s -> s.inbound().id(sender, controlId, hash)).orElse(null));
                // The replay assumes billing received each DFT before the next message came (as it normally does
                // within a poll): a later cancel then credits the charge instead of withdrawing it unsent.
                for (var item : scratch.undelivered()) {
                    if (item.status() == OutboxStatus.PENDING) {
                        scratch.markDelivered(item.id(), "AA");
                    }
                }
            }
            return new Report(out, perOrderTest(scratch, out, scratchIds));
        } finally {
            deleteQuietly(scratchDir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // A scratch folder left in the temporary directory holds no engine data.
        }
    }

    /** Every line and hold the replay made, grouped by (order, CPT) in the order they first appeared. */
    private static List<OrderTest> perOrderTest(Ledger scratch, List<Explanation> explanations, List<Long> ids) {
        Map<List<String>, List<Made<StoredLine>>> lines = new LinkedHashMap<>();
        Map<List<String>, List<Made<HoldRecord>>> holds = new LinkedHashMap<>();
        for (int i = 0; i < explanations.size(); i++) {
            Long id = ids.get(i);
            if (id == null) {
                continue;
            }
            Explanation by = explanations.get(i);
            // Read again now: a line's status is what later messages made of it (credited, withdrawn).
            for (StoredLine l : scratch.read(s -> s.lines().fromMessage(id))) {
                List<String> key = List.of(l.orderKey(), l.line().cpt());
                lines.computeIfAbsent(key, k -> new ArrayList<>()).add(new Made<>(l, by));
                holds.computeIfAbsent(key, k -> new ArrayList<>());
            }
            for (HoldRecord h : scratch.read(s -> s.holds().fromMessage(id))) {
                List<String> key = List.of(h.orderKey(), h.cpt());
                holds.computeIfAbsent(key, k -> new ArrayList<>()).add(new Made<>(h, by));
                lines.computeIfAbsent(key, k -> new ArrayList<>());
            }
        }
        List<OrderTest> out = new ArrayList<>();
        for (List<String> key : lines.keySet()) {
            String orderKey = key.get(0);
            String cpt = key.get(1);
            boolean finalSeen = scratch.read(s -> s.tests().finalSeen(orderKey, cpt));
            CancelState cancelState = scratch.read(s -> s.tests().cancelState(orderKey, cpt));
            List<Made<StoredLine>> made = lines.get(key);
            Optional<OrderKey> order = made.stream().map(m -> m.item().order()).reduce(OrderKey::mergedWith)
                    .filter(k -> !k.isEmpty());
            out.add(new OrderTest(orderKey, cpt, order, finalSeen, cancelState, made, holds.get(key)));
        }
        return out;
    }

    private java.util.function.Function<RuleSet, RulesLinePlanner> ledgerPlanner(List<Decision> sink) {
        return r -> new RulesLinePlanner(r, sink::add);
    }

    /** The text an analyst reads: message by message, then what exists per (order, CPT) and why. */
    public String render(Report report) {
        StringBuilder sb = new StringBuilder(render(report.messages()));
        sb.append('\n').append("== Lines per order and CPT after the last message (a line is (order, CPT, kind),"
                + " docs/decision-contract.md §4)\n");
        if (report.tests().isEmpty()) {
            sb.append("   no line posted and no hold opened\n");
        }
        for (OrderTest t : report.tests()) {
            sb.append("   order ").append(t.orderKey())
                    .append(t.order().map(k -> " (placer " + number(k.placer()) + ", filler " + number(k.filler())
                            + ")").orElse(""))
                    .append(", CPT ").append(t.cpt().isEmpty() ? "(none: not in the charge master)" : t.cpt())
                    .append(": ").append(t.finalSeen() ? "final result seen" : "no final result yet")
                    .append(switch (t.cancelState()) {
                        case REQUESTED -> "; cancel requested (CA/DC), not confirmed";
                        case CANCELLED -> "; cancelled";
                        case NONE -> "";
                    }).append('\n');
            for (Made<StoredLine> m : t.lines()) {
                StoredLine l = m.item();
                sb.append("     ").append(describe(l.line())).append(" FT1-2 ").append(l.line().transactionId())
                        .append('\n').append("       why: ").append(whyPosted(l, m.by()))
                        .append(whyModifiers(l.line())).append('\n')
                        .append("       now: ").append(switch (l.status()) {
                            case POSTED -> "posted (CG)";
                            case CREDITED -> "credited (CD with the same FT1-2)";
                            case WITHDRAWN -> "withdrawn with its credit before billing received it";
                        }).append('\n');
            }
            for (Made<HoldRecord> m : t.holds()) {
                HoldRecord h = m.item();
                sb.append("     held ").append(h.kind()).append(" line: ").append(h.reasonCode()).append(" — ")
                        .append(h.reasonText()).append('\n').append("       by ").append(source(m.by()))
                        .append("; now ").append(lower(h.status())).append('\n');
            }
        }
        return sb.toString();
    }

    private static String number(org.iepcharge.domain.EntityId id) {
        return id.isEmpty() ? "(none)" : id.namespace().isEmpty() ? id.id() : id.id() + "^" + id.namespace();
    }

    private static String source(Explanation e) {
        return e.source().source() + " #" + e.source().index() + " ("
                + (e.inbound().header() == null ? "no MSH" : e.inbound().header().type() + " MSH-10 "
                + e.inbound().header().controlId()) + ")";
    }

    /** The event that posted a line (docs/decision-contract.md §7). */
    private static String whyPosted(StoredLine l, Explanation by) {
        boolean order = by.inbound().message() != null && by.inbound().message().isOrder();
        String event = order ? "posted at order time (chargeTrigger ORDER)"
                : l.generation() > 1 ? "re-posted: a later result changed this line (generation " + l.generation()
                + ")"
                : "posted on a result for this order and CPT";
        return event + ", by " + source(by) + ", rules version " + l.rulesVersion();
    }

    /** What each modifier on the line stands for (docs/rules-reference.md; the decision above gives the inputs). */
    private static String whyModifiers(ChargeLine l) {
        if (l.modifiers().isEmpty()) {
            return "; no modifier applied";
        }
        List<String> out = new ArrayList<>();
        for (String code : l.modifiers()) {
            out.add(code + " " + org.iepcharge.rules.Modifier.of(code)
                    .map(m -> m.name().toLowerCase().replace('_', ' ')).orElse("modifier"));
        }
        return "; modifiers: " + String.join(", ", out);
    }

    /** The text an analyst reads, message by message. */
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
                sb.append("   line: ").append(describe(l.line())).append(" — ").append(l.status() == LineStatus.POSTED
                        ? "posted (CG)" : lower(l.status())).append('\n');
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
                            .append(", now ").append(lower(l.status())).append(")\n");
                }
                for (HoldRecord h : r.holds()) {
                    sb.append("     hold ").append(h.id()).append(": ").append(h.reasonCode()).append(" (")
                            .append(lower(h.status())).append(")\n");
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

    /** A ledger state as the explanation words it ("credited", "superseded"). */
    private static String lower(Enum<?> state) {
        return state.name().toLowerCase();
    }
}
