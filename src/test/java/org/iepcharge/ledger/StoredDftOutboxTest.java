package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.iepcharge.billing.DftBuilder;
import org.iepcharge.billing.DftSettings;
import org.iepcharge.domain.ChargeDocument;
import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.FinancialTransaction;
import org.iepcharge.domain.Insurance;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.Location;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.Patient;
import org.iepcharge.domain.PersonName;
import org.iepcharge.domain.Provider;
import org.iepcharge.domain.TransactionType;
import org.iepcharge.domain.Visit;

/**
 * A DFT queued as its document (migration V7) is sent as the bytes {@link DftBuilder#build} gives for that document
 * — on the first claim, on a claim after a restart, and with the settings it was queued with even when the engine
 * now runs with others (docs/decision-contract.md §8: a redelivery sends the very same bytes).
 */
class StoredDftOutboxTest extends LedgerTestSupport {

    private static final DftSettings QUEUED_WITH = new DftSettings("IEPCHARGE", "OURLAB", "BILLING", "HOSPITAL",
            "2.5.1", "I10C");
    private static final Provider ORDERING = new Provider("1234567893", new PersonName("Smith", "Jane", "Q"), "NPI");
    private static final Provider PATHOLOGIST = new Provider("9876543210", new PersonName("Path", "Paul", ""), "NPI");

    private static ChargeDocument document(String controlId, String family, FinancialTransaction... transactions) {
        OrderContext context = new OrderContext(new OrderKey(new EntityId("P-77", "EHR"), new EntityId("F-1", "LIS")),
                new Patient("MRN123", "HOSP", "MR", new PersonName(family, "Anna", "B"), "19450607", "F"),
                new Visit("O", new Location("LABDRAW", "12", "B", "MAIN"), "V555"),
                List.of(new Insurance(1, 1, "MCR01", "MEDB", "Medicare Part B", "GRP9", "1EG4TE5MK72"),
                        new Insurance(2, 2, "AET", "", "Aetna", "", "W123")),
                List.of(new Diagnosis("D47.2", "Monoclonal gammopathy", "I10", "W"),
                        new Diagnosis("C90.00", "Multiple myeloma not in remission", "ICD10CM", "")),
                "2", ORDERING, "ORM-1");
        return new ChargeDocument(controlId, "P", "20240315101500", context, new EntityId("F-1", "LIS"),
                List.of(transactions));
    }

    private static FinancialTransaction line(TransactionType type, String id, LineKind kind, List<String> modifiers,
                                             Provider performedBy) {
        return new FinancialTransaction(type, new ChargeLine(id, kind, "86334", "Immunofixation, serum",
                "CDM-86334", 1, modifiers, "20240314083000", performedBy));
    }

    @OnBothDatabases
    void theOutboxSendsTheBytesTheBuilderGivesForTheStoredDocument(TestDatabase.Backend backend) {
        open(backend);
        DftBuilder builder = new DftBuilder(QUEUED_WITH);
        List<ChargeDocument> documents = List.of(
                document("IEPDFT01", "Doe", line(TransactionType.CG, "T1", LineKind.T, List.of(), Provider.NONE),
                        line(TransactionType.CG, "T2", LineKind.P, List.of("26", "GA"), PATHOLOGIST)),
                document("IEPDFT02", "Müller", line(TransactionType.CD, "T1", LineKind.T, List.of(), Provider.NONE)));
        for (ChargeDocument d : documents) {
            ledger.write((LedgerSession s) -> {
                // One order per DFT: a later DFT of an order is not claimable while an earlier one is pending.
                s.outbox().enqueueDocument(d.controlId(), "P:" + d.controlId(), builder.stored(d), Instant.now());
                return null;
            });
        }
        List<byte[]> expected = documents.stream().map(d -> builder.build(d).getBytes(StandardCharsets.UTF_8))
                .toList();
        assertThat(new String(expected.get(1), StandardCharsets.UTF_8)).contains("Müller").contains("UNICODE UTF-8");

        List<OutboxItem> claimed = ledger.claimDue(10, Duration.ofMillis(1), "n1");
        assertThat(claimed).extracting(OutboxItem::controlId).containsExactly("IEPDFT01", "IEPDFT02");
        assertThat(claimed).extracting(OutboxItem::payload).containsExactlyElementsOf(expected);
        assertThat(db.string("SELECT document FROM outbox WHERE control_id = ?", "IEPDFT01"))
                .as("stored as its document").isNotEmpty();

        // A restart: another ledger instance on the same database, whose engine would run other settings.
        JdbcLedger restarted = otherNode();
        List<OutboxItem> again = restarted.undelivered();
        assertThat(again).extracting(OutboxItem::payload).containsExactlyElementsOf(expected);
    }
}
