package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;

import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;

/** Schema migration and the inbound message store with its unique identity (sender, control ID, content hash). */
class InboundMessagesTest extends LedgerTestSupport {

    @OnBothDatabases
    void flywayMigrationCreatesTheSchemaAndIsANoOpOnReopen(TestDatabase.Backend backend) {
        open(backend);
        assertThat(db.column("SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\" = TRUE AND \"version\" IS NOT NULL"))
                .extracting(Object::toString).containsExactly("1", "2", "3", "4", "6", "7");
        for (String table : new String[] {"inbound_message", "order_context", "order_test", "charge_line", "charge_hold",
                "outbox"}) {
            assertThat(db.count("SELECT COUNT(*) FROM " + table)).as(table).isZero();
        }
        long historyRows = db.count("SELECT COUNT(*) FROM \"flyway_schema_history\"");
        long id = message("M1");
        ledger.close();

        ledger = db.open();
        assertThat(db.count("SELECT COUNT(*) FROM \"flyway_schema_history\"")).isEqualTo(historyRows);
        assertThat(ledger.read((LedgerSession s) -> s.inbound().findAnswer("LIS^LAB", "M1", "h-M1"))).map(StoredAnswer::messageId).contains(id);
    }

    @OnBothDatabases
    void recordInboundThenFindAnswerAndControlIdSeen(TestDatabase.Backend backend) {
        open(backend);
        Outcome rejected = Outcome.error(102, "OBR^1^4", "unknown test code");
        long id = ledger.write((LedgerSession s) -> s.inbound().record(inbound("LIS^LAB", "C100", "hash-a"),
                Instant.parse("2024-03-01T10:15:30Z")));
        ledger.write((LedgerSession s) -> {
            s.inbound().setOutcome(id, rejected);
            return null;
        });

        Optional<StoredAnswer> answer = ledger.read((LedgerSession s) -> s.inbound().findAnswer("LIS^LAB", "C100", "hash-a"));
        assertThat(answer).contains(new StoredAnswer(id, rejected));
        assertThat(ledger.read((LedgerSession s) -> s.inbound().findAnswer("LIS^LAB", "C100", "hash-b"))).isEmpty();
        assertThat(ledger.read((LedgerSession s) -> s.inbound().findAnswer("OTHER^LAB", "C100", "hash-a"))).isEmpty();

        assertThat(ledger.read((LedgerSession s) -> s.inbound().controlIdSeen("LIS^LAB", "C100"))).isTrue();
        assertThat(ledger.read((LedgerSession s) -> s.inbound().controlIdSeen("LIS^LAB", "C101"))).isFalse();
        assertThat(ledger.read((LedgerSession s) -> s.inbound().controlIdSeen("OTHER^LAB", "C100"))).isFalse();

        // The same in one query, as charge capture asks it.
        assertThat(ledger.read((LedgerSession s) -> s.inbound().history("LIS^LAB", "C100", "hash-a")))
                .isEqualTo(new InboundHistory(Optional.of(new StoredAnswer(id, rejected)), true));
        assertThat(ledger.read((LedgerSession s) -> s.inbound().history("LIS^LAB", "C100", "hash-b")))
                .isEqualTo(new InboundHistory(Optional.empty(), true));
        assertThat(ledger.read((LedgerSession s) -> s.inbound().history("OTHER^LAB", "C100", "hash-a")))
                .isEqualTo(new InboundHistory(Optional.empty(), false));

        assertThat(db.column("SELECT raw FROM inbound_message WHERE id = ?", id).get(0))
                .isEqualTo(inbound("LIS^LAB", "C100", "hash-a").raw());
    }

    @OnBothDatabases
    void duplicateIdentityIsRejectedByTheDatabase(TestDatabase.Backend backend) {
        open(backend);
        ledger.write((LedgerSession s) -> s.inbound().record(inbound("LIS^LAB", "C7", "hash-a"), Instant.now()));

        assertThatThrownBy(() -> ledger.write((LedgerSession s) -> s.inbound().record(inbound("LIS^LAB", "C7", "hash-a"), Instant.now())))
                .satisfies(e -> assertThat(sqlCause(e)).get().extracting(java.sql.SQLException::getSQLState)
                        .isEqualTo("23505"));
        assertThat(db.count("SELECT COUNT(*) FROM inbound_message")).isEqualTo(1);

        // Same control ID with other content (a wrapped LIS counter) and the same content from another sender: new.
        ledger.write((LedgerSession s) -> s.inbound().record(inbound("LIS^LAB", "C7", "hash-b"), Instant.now()));
        ledger.write((LedgerSession s) -> s.inbound().record(inbound("OTHER^LAB", "C7", "hash-a"), Instant.now()));
        assertThat(db.count("SELECT COUNT(*) FROM inbound_message")).isEqualTo(3);
        assertThat(ledger.read((LedgerSession s) -> s.inbound().findAnswer("LIS^LAB", "C7", "hash-b")))
                .map(StoredAnswer::outcome).contains(Outcome.accepted(Disposition.IGNORED));
    }
}
