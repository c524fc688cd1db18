package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;

/** The console's reads and the audit trail, on H2 and PostgreSQL. */
class OpsQueriesTest extends LedgerTestSupport {

    private long stored(String controlId, String type, Instant at, Outcome outcome) {
        long id = ledger.write((LedgerSession s) -> s.inbound().record(new InboundRecord("LIS^LAB", controlId,
                "h-" + controlId, type, "P", ("MSH|...|" + controlId).getBytes(StandardCharsets.UTF_8), outcome), at));
        ledger.write((LedgerSession s) -> {
            s.inbound().setOutcome(id, outcome);
            return null;
        });
        return id;
    }

    private static OpsQueries.MessageFilter filter(String controlId, Instant from, Instant to, String type,
                                                   String disposition) {
        return new OpsQueries.MessageFilter(controlId, null, null, from, to, type, disposition);
    }

    @OnBothDatabases
    void searchFiltersPagesAndOpensAMessage(TestDatabase.Backend backend) {
        open(backend);
        Instant t0 = Instant.parse("2026-11-20T08:00:00Z");
        for (int i = 0; i < 5; i++) {
            stored("A" + i, "ORU^R01", t0.plusSeconds(i * 60L), Outcome.accepted(Disposition.IGNORED));
        }
        long rejected = stored("B1", "ADT^A01", t0.plusSeconds(600), Outcome.reject(200, "MSH^1^9", "bad type"));

        List<OpsQueries.MessageRow> page0 = ledger.read((LedgerSession s) -> OpsQueries.searchMessages(s,
                filter(null, null, null, "ORU", null), 0, 2));
        assertThat(page0).extracting(OpsQueries.MessageRow::controlId).containsExactly("A4", "A3", "A2");
        List<OpsQueries.MessageRow> page2 = ledger.read((LedgerSession s) -> OpsQueries.searchMessages(s,
                filter(null, null, null, "ORU", null), 4, 2));
        assertThat(page2).extracting(OpsQueries.MessageRow::controlId).containsExactly("A0");

        assertThat(ledger.read((LedgerSession s) -> OpsQueries.searchMessages(s, filter(null, t0.plusSeconds(60),
                t0.plusSeconds(180), null, null), 0, 10))).extracting(OpsQueries.MessageRow::controlId)
                .containsExactly("A2", "A1");
        assertThat(ledger.read((LedgerSession s) -> OpsQueries.searchMessages(s, filter(null, null, null, null, "rejected"), 0,
                10))).extracting(OpsQueries.MessageRow::controlId).containsExactly("B1");
        assertThat(ledger.read((LedgerSession s) -> OpsQueries.searchMessages(s, filter("A3", null, null, null, null), 0, 10)))
                .extracting(OpsQueries.MessageRow::controlId).containsExactly("A3");
        assertThat(ledger.read((LedgerSession s) -> OpsQueries.lastErrors(s, 5))).extracting(OpsQueries.MessageRow::controlId)
                .containsExactly("B1");
        assertThat(ledger.read((LedgerSession s) -> OpsQueries.dispositionsSince(s, t0))).containsEntry("IGNORED", 5L)
                .containsEntry("REJECTED", 1L);

        OpsQueries.MessageDetail d = ledger.read((LedgerSession s) -> OpsQueries.message(s, rejected)).orElseThrow();
        assertThat(d.row().errorCode()).isEqualTo(200);
        assertThat(new String(d.raw(), StandardCharsets.UTF_8)).isEqualTo("MSH|...|B1");
        assertThat(ledger.read((LedgerSession s) -> OpsQueries.message(s, rejected + 100))).isEmpty();
    }

    @OnBothDatabases
    void auditRecordsAreKeptNewestFirstAndTheOutboxStateCounts(TestDatabase.Backend backend) {
        open(backend);
        Instant t = Instant.parse("2026-11-20T08:00:00Z");
        ledger.write((LedgerSession s) -> OpsQueries.audit(s, t, "ann", "HOLD_RELEASE", "hold 4", "payer confirmed",
                "POSTED"));
        ledger.write((LedgerSession s) -> OpsQueries.audit(s, t.plusSeconds(5), "bob", "DFT_DISCARD", "outbox 9",
                "duplicate", "NOT_PARKED"));
        assertThat(ledger.read((LedgerSession s) -> OpsQueries.auditTrail(s, 10))).extracting(a -> a.actor() + " " + a.action()
                + " " + a.target() + " " + a.reason() + " " + a.result() + " " + a.actedAt())
                .containsExactly("bob DFT_DISCARD outbox 9 duplicate NOT_PARKED 2026-11-20T08:00:05Z",
                        "ann HOLD_RELEASE hold 4 payer confirmed POSTED 2026-11-20T08:00:00Z");

        OpsQueries.OutboxState empty = ledger.read((LedgerSession s) -> OpsQueries.outboxState(s));
        assertThat(empty.pending()).isZero();
        assertThat(empty.oldestUndelivered()).isNull();
        ledger.write((LedgerSession s) -> s.outbox().enqueue("D1", "P:1", new byte[] {1}, t));
        ledger.write((LedgerSession s) -> s.outbox().enqueue("D2", "P:2", new byte[] {2}, t.plusSeconds(30)));
        long first = ledger.undelivered().get(0).id();
        ledger.park(first, "AE 999");
        OpsQueries.OutboxState state = ledger.read((LedgerSession s) -> OpsQueries.outboxState(s));
        assertThat(state.pending()).isEqualTo(1);
        assertThat(state.parked()).isEqualTo(1);
        assertThat(state.oldestUndelivered()).isEqualTo(t);
        ledger.read((LedgerSession s) -> {
            OpsQueries.ping(s);
            return null;
        });
    }
}
