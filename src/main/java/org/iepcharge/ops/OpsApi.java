package org.iepcharge.ops;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.iepcharge.config.EngineSettings;
import org.iepcharge.explain.Explainer;
import org.iepcharge.explain.FileMessage;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.iepcharge.edge.Inbound;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.hl7.AckBuilder;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.ledger.OpsQueries;
import org.iepcharge.ledger.OutboxItem;
import org.iepcharge.ledger.OutboxStatus;
import org.iepcharge.ledger.StoredLine;
import org.iepcharge.rules.RuleSet;

/**
 * The console's JSON API. Everything here runs for an authenticated user only (the routes check first). Reads come
 * straight from the ledger; the actions go through {@link OperatorActions}, the same code the command line runs.
 */
public final class OpsApi {
    /** What to answer: HTTP status and a JSON-serialisable body. */
    public record Reply(int status, Object body) {
        static Reply ok(Object body) {
            return new Reply(200, body);
        }

        static Reply error(int status, String message) {
            return new Reply(status, Map.of("error", message));
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PAGE = 200;

    private final EngineSettings settings;
    private final JdbcLedger ledger;
    private final RuleSet rules;
    private final OperatorActions actions;
    private final MeterRegistry meters;

    public OpsApi(EngineSettings settings, JdbcLedger ledger, RuleSet rules, MeterRegistry meters) {
        this.settings = settings;
        this.ledger = ledger;
        this.rules = rules;
        this.meters = meters;
        this.actions = new OperatorActions(settings, ledger);
    }

    /** {@code path} is below {@code /api} (e.g. {@code /messages/12}); {@code query} already decoded. */
    public Reply handle(String method, String path, Map<String, String> query, String body, String user) {
        String[] p = path.replaceAll("^/+|/+$", "").split("/");
        try {
            if ("GET".equals(method)) {
                return switch (p[0]) {
                    case "overview" -> Reply.ok(overview());
                    case "messages" -> p.length == 1 ? Reply.ok(search(query)) : message(parseId(p[1]));
                    case "holds" -> Reply.ok(holds());
                    case "outbox" -> Reply.ok(outbox());
                    case "audit" -> Reply.ok(audit());
                    default -> Reply.error(404, "no such resource");
                };
            }
            if ("POST".equals(method) && p.length == 3) {
                String reason = reason(body);
                long id = parseId(p[1]);
                OperatorActions.Result r = switch (p[0] + "/" + p[2]) {
                    case "holds/release" -> actions.releaseHold(user, id, reason);
                    case "holds/discard" -> actions.discardHold(user, id, reason);
                    case "outbox/retry" -> actions.retryDft(user, id, reason);
                    case "outbox/discard" -> actions.discardDft(user, id, reason);
                    default -> null;
                };
                if (r == null) {
                    return Reply.error(404, "no such action");
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("done", r.done());
                out.put("outcome", r.outcome());
                out.put("message", r.message());
                return new Reply(r.done() ? 200 : 409, out);
            }
            return Reply.error(405, "method not allowed");
        } catch (IllegalArgumentException e) {
            return Reply.error(400, e.getMessage());
        }
    }

    private Map<String, Object> overview() {
        Instant now = Instant.now();
        record Read(Map<String, Long> lastHour, Map<String, Long> lastDay, OpsQueries.OutboxState outbox,
                    Map<String, Long> holds, List<OpsQueries.MessageRow> errors) {
        }
        Read r = ledger.read(s -> new Read(OpsQueries.dispositionsSince(s, now.minus(Duration.ofHours(1))),
                OpsQueries.dispositionsSince(s, now.minus(Duration.ofDays(1))), OpsQueries.outboxState(s),
                OpsQueries.openHoldsByReason(s), OpsQueries.lastErrors(s, 10)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generatedAt", now.toString());
        out.put("rules", rules.source() + " (version " + rules.version() + ")");
        out.put("lastHour", r.lastHour());
        out.put("lastDay", r.lastDay());
        Map<String, Object> outbox = new LinkedHashMap<>();
        outbox.put("pending", r.outbox().pending());
        outbox.put("parked", r.outbox().parked());
        outbox.put("failing", r.outbox().failing());
        outbox.put("oldestUndeliveredSeconds", r.outbox().oldestUndelivered() == null ? 0
                : Math.max(0, Duration.between(r.outbox().oldestUndelivered(), now).toSeconds()));
        out.put("outbox", outbox);
        out.put("holdsOpen", r.holds());
        Map<String, Double> sinceStart = new LinkedHashMap<>();
        for (Counter c : meters.find("iep.inbound.messages").counters()) {
            sinceStart.merge(c.getId().getTag("outcome"), c.count(), Double::sum);
        }
        out.put("sinceStart", sinceStart);
        out.put("lastErrors", r.errors().stream().map(OpsApi::row).toList());
        return out;
    }

    private Map<String, Object> search(Map<String, String> q) {
        int size = Math.min(MAX_PAGE, Math.max(1, parseInt(q.get("size"), 25)));
        int page = Math.max(0, parseInt(q.get("page"), 0));
        OpsQueries.MessageFilter f = new OpsQueries.MessageFilter(q.get("controlId"), q.get("order"),
                q.get("patient"), instant(q.get("from"), false), instant(q.get("to"), true), q.get("type"),
                outcome(q.get("outcome")));
        List<OpsQueries.MessageRow> rows = ledger.read(s -> OpsQueries.searchMessages(s, f, page * size, size));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("page", page);
        out.put("size", size);
        out.put("hasNext", rows.size() > size);
        out.put("rows", rows.stream().limit(size).map(OpsApi::row).toList());
        return out;
    }

    private Reply message(long id) {
        Optional<OpsQueries.MessageDetail> found = ledger.read(s -> OpsQueries.message(s, id));
        if (found.isEmpty()) {
            return Reply.error(404, "no message " + id);
        }
        OpsQueries.MessageDetail d = found.get();
        Map<String, Object> out = new LinkedHashMap<>(row(d.row()));
        out.put("sender", d.sender());
        Outcome answered = new Outcome(Disposition.valueOf(d.row().disposition()), d.row().ackCode(),
                d.row().errorCode(), d.row().errorLocation(), d.row().errorText());
        if (d.raw() == null) {
            out.put("segments", List.of());
            out.put("rawNote", "raw message erased by retention (iep.retention.rawDays)");
        } else {
            Inbound in = new InboundEdge(settings.inboundCharset()).read(d.raw());
            Charset cs = in.charset() == null ? StandardCharsets.UTF_8 : in.charset();
            out.put("segments", segments(new String(d.raw(), cs)));
            if (!answered.ackCode().isEmpty() && in.msh() != null) {
                String ack = new AckBuilder(settings.application(), settings.facility()).build(in.msh(), answered);
                out.put("ackMessage", segments(ack));
            }
            out.put("explanation", explain(id, d.raw()));
        }
        out.put("lines", d.lines().stream().map(OpsApi::line).toList());
        out.put("holds", d.holds().stream().map(OpsApi::hold).toList());
        out.put("dfts", d.dfts().stream().map(OpsApi::dft).toList());
        return Reply.ok(out);
    }

    /**
     * The same text as {@code iep explain} given the messages of this message's order up to it, in the order the
     * engine received them (so a result is explained with its order's insurance and diagnosis, as the engine saw them).
     */
    private String explain(long id, byte[] raw) {
        List<byte[]> sequence = ledger.read(s -> OpsQueries.orderSequence(s, id));
        List<FileMessage> messages = new ArrayList<>();
        for (byte[] m : sequence.isEmpty() ? List.of(raw) : sequence) {
            messages.add(new FileMessage("ledger", messages.size() + 1, 1, m));
        }
        Explainer explainer = new Explainer(settings, rules);
        return explainer.render(explainer.explain(messages, Optional.of(ledger)));
    }

    private List<Map<String, Object>> holds() {
        return ledger.read(s -> s.holds().allOpen()).stream().map(OpsApi::hold).toList();
    }

    private List<Map<String, Object>> outbox() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (OutboxItem i : ledger.undelivered()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", i.id());
            m.put("controlId", i.controlId());
            m.put("orderKey", i.orderKey());
            m.put("status", i.status());
            m.put("attempts", i.attempts());
            m.put("nextAttemptAt", i.status() == OutboxStatus.PARKED ? null : String.valueOf(i.nextAttemptAt()));
            m.put("lastAnswer", i.lastError());
            m.put("createdAt", String.valueOf(i.createdAt()));
            out.add(m);
        }
        return out;
    }

    private List<Map<String, Object>> audit() {
        return ledger.read(s -> OpsQueries.auditTrail(s, 100)).stream().map(a -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", a.actedAt().toString());
            m.put("actor", a.actor());
            m.put("action", a.action());
            m.put("target", a.target());
            m.put("reason", a.reason());
            m.put("result", a.result());
            return m;
        }).toList();
    }

    private static Map<String, Object> row(OpsQueries.MessageRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("controlId", r.controlId());
        m.put("type", r.type());
        m.put("receivedAt", r.receivedAt().toString());
        m.put("outcome", r.disposition());
        m.put("ack", r.ackCode());
        m.put("errorCode", r.errorCode());
        m.put("errorLocation", r.errorLocation());
        m.put("errorText", r.errorText());
        return m;
    }

    private static Map<String, Object> line(StoredLine l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("transactionId", l.line().transactionId());
        m.put("orderKey", l.orderKey());
        m.put("cpt", l.line().cpt());
        m.put("kind", String.valueOf(l.line().kind()));
        m.put("units", l.line().units());
        m.put("modifiers", l.line().modifiers());
        m.put("dateOfService", l.line().dateOfService());
        m.put("status", l.status());
        m.put("dft", l.postedDft());
        m.put("rulesVersion", l.rulesVersion());
        return m;
    }

    private static Map<String, Object> hold(HoldRecord h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", h.id());
        m.put("reason", h.reasonCode());
        m.put("reasonText", h.reasonText());
        m.put("orderKey", h.orderKey());
        m.put("cpt", h.cpt());
        m.put("kind", h.kind());
        m.put("patientKey", h.patientKey());
        m.put("status", h.status());
        m.put("messageId", h.sourceMessageId());
        m.put("since", String.valueOf(h.createdAt()));
        return m;
    }

    private static Map<String, Object> dft(OpsQueries.DftRow d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("controlId", d.controlId());
        m.put("status", d.status());
        m.put("attempts", d.attempts());
        m.put("billingAnswer", d.lastAnswer());
        m.put("createdAt", d.createdAt().toString());
        m.put("deliveredAt", d.deliveredAt() == null ? null : d.deliveredAt().toString());
        return m;
    }

    private static List<String> segments(String text) {
        return List.of(text.split("\r\n|\r|\n"));
    }

    private static String reason(String body) {
        try {
            JsonNode n = body == null || body.isBlank() ? null : JSON.readTree(body);
            String r = n == null || !n.hasNonNull("reason") ? "" : n.get("reason").asText();
            return OperatorActions.requireReason(r);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the body must be JSON: {\"reason\": \"...\"}");
        }
    }

    private static long parseId(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not an ID");
        }
    }

    private static int parseInt(String s, int fallback) {
        if (s == null || s.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a whole number");
        }
    }

    private static String outcome(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Disposition.valueOf(s.strip().toUpperCase(java.util.Locale.ROOT)).name();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("outcome must be one of " + java.util.Arrays.stream(Disposition.values())
                    .map(Enum::name).collect(java.util.stream.Collectors.joining(", ")));
        }
    }

    /** A date (yyyy-mm-dd, local: from = its start, to = the end of that day) or an ISO instant. */
    private static Instant instant(String s, boolean endOfDay) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            if (s.length() == 10) {
                LocalDate d = LocalDate.parse(s);
                return (endOfDay ? d.plusDays(1) : d).atStartOfDay(ZoneId.systemDefault()).toInstant();
            }
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + s + "' is not a date (yyyy-mm-dd) or an ISO instant");
        }
    }
}
