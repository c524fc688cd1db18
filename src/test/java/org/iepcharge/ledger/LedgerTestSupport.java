package org.iepcharge.ledger;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.Outcome;
import org.iepcharge.domain.Patient;
import org.iepcharge.domain.PersonName;
import org.iepcharge.domain.Provider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** Opens one fresh ledger per test on the backend of the parameterised test class; shared record builders. */
abstract class LedgerTestSupport {

    /** A fixed time for the rows the per-table tests write (contexts, lines, holds). */
    static final Instant T0 = Instant.parse("2024-05-02T08:00:00Z");

    @TempDir
    Path dir;

    TestDatabase db;
    JdbcLedger ledger;
    private final List<JdbcLedger> extraNodes = new ArrayList<>();

    void open(TestDatabase.Backend backend) {
        db = TestDatabase.create(backend, dir);
        ledger = db.open();
    }

    /** Another engine node on the same database: its own JdbcLedger, writer and outbox connection. */
    JdbcLedger otherNode() {
        JdbcLedger node = db.open();
        extraNodes.add(node);
        return node;
    }

    @AfterEach
    void closeLedger() {
        extraNodes.forEach(JdbcLedger::close);
        if (ledger != null) {
            ledger.close();
        }
        if (db != null) {
            db.close();
        }
    }

    // ---- builders ----------------------------------------------------------------------------------------------

    static InboundRecord inbound(String sender, String controlId, String hash) {
        return new InboundRecord(sender, controlId, hash, "ORM^O01", "P",
                ("MSH|^~\\&|" + sender + "|" + controlId).getBytes(StandardCharsets.ISO_8859_1),
                Outcome.accepted(Disposition.IGNORED));
    }

    /** Records an inbound message (the source every context, line and hold refers to) and returns its id. */
    long message(String controlId) {
        return ledger.write((LedgerSession s) -> s.inbound().record(inbound("LIS^LAB", controlId, "h-" + controlId), Instant.now()));
    }

    static OrderContext context(String placer, String filler, String patientId, String abn) {
        return new OrderContext(new OrderKey(new EntityId(placer, placer == null ? null : "LIS"),
                new EntityId(filler, filler == null ? null : "LAB")),
                new Patient(patientId, "HOSP", "MR", new PersonName("DOE", "JANE", ""), "19600101", "F"),
                null, null, null, abn, null, "CTX-" + placer + "-" + filler);
    }

    static ChargeLine line(String transactionId, LineKind kind, String cpt, String dateOfService) {
        return new ChargeLine(transactionId, kind, cpt, "IEP SERUM", "CC" + cpt, 1,
                kind == LineKind.P ? List.of("26") : List.of(), dateOfService,
                kind == LineKind.P ? new Provider("PATH1", new PersonName("PATH", "OLOGIST", ""), "HOSP") : null);
    }

    long enqueue(String controlId, String orderKey) {
        return ledger.write((LedgerSession s) -> s.outbox().enqueue(controlId, orderKey,
                ("DFT " + controlId).getBytes(StandardCharsets.US_ASCII), Instant.now()));
    }

    String outboxStatus(long id) {
        return db.string("SELECT status FROM outbox WHERE id = ?", id);
    }

    /** The SQLException somewhere in the cause chain of a failed write, if any. */
    static Optional<SQLException> sqlCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException e) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
