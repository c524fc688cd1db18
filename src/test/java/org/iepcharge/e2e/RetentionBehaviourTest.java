package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ca.uhn.hl7v2.AcknowledgmentCode;
import org.iepcharge.billing.local.BillingReceiver;
import org.iepcharge.cli.MllpSender;
import org.iepcharge.cli.SendOutcome;
import org.iepcharge.hl7.Er7;
import org.iepcharge.ledger.OutboxDocuments;
import org.iepcharge.ledger.LedgerRetention;
import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.LabMessages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;



/**
 * Erasing raw message bytes changes nothing the engine does: the same story — orders charged, then a resend, a
 * corrected result and a cancellation — is played on two engines, one of which prunes the raw bytes of everything
 * (as if 31 days had passed) before the second half. Answers, stored dispositions, charge lines and DFTs must be the
 * same on both. Duplicate detection therefore rests on the stored content hash, not on the bytes.
 */
class RetentionBehaviourTest {
    @TempDir
    Path tmp;

    /** What a run shows from outside and in the ledger, free of IDs and clock values. */
    record Observed(List<String> answers, List<String> lines, List<String> dfts, long inboundRows) {
    }

    private static byte[] bytes(String message) {
        return message.replace('\n', '\r').getBytes(StandardCharsets.UTF_8);
    }

    private static String cancel(String placer) {
        return LabMessages.orm(placer).replace("ORC|NW|", "ORC|OC|").replace("|ORM-" + placer + "|",
                "|ORMOC-" + placer + "|");
    }

    private Observed play(String name, boolean pruneRawBytes) throws Exception {
        Path dir = tmp.resolve(name);
        try (EngineHarness engine = EngineHarness.startWithOwnBilling(dir.resolve("data"), Map.of());
             BillingReceiver billing = new BillingReceiver();
             MllpSender lis = new MllpSender("127.0.0.1", engine.engine().settings().inboundPort(), 10_000)) {
            billing.start(engine.billingPort(), dir.resolve("billing"), AcknowledgmentCode.AA);
            for (String placer : List.of("RSND1", "CORR1", "CANC1")) {
                engine.orderAndFinalResult(placer);
            }
            awaitDelivered(engine);

            if (pruneRawBytes) {
                long inboundBefore = count(engine, "SELECT COUNT(*) FROM inbound_message");
                LedgerRetention.Result result = new LedgerRetention(engine.engine().ledger(), 30, 396)
                        .prune(Instant.now().plus(Duration.ofDays(31)));
                assertThat(result.rawErased()).isEqualTo(inboundBefore);
                assertThat(result.orders()).isZero();
                assertThat(count(engine, "SELECT COUNT(*) FROM inbound_message WHERE raw IS NOT NULL")).isZero();
                assertThat(count(engine, "SELECT COUNT(*) FROM inbound_message")).isEqualTo(inboundBefore);
            }

            List<String> answers = new ArrayList<>();
            String[] second = {
                LabMessages.oru("RSND1", "F", "20261120080000"), // the very same bytes again
                LabMessages.orm("RSND1"),                          // and its order
                LabMessages.oru("CORR1", "C", "20261119080000"),   // a corrected result: another collection day
                cancel("CANC1"),                                     // the order cancelled after it was charged
            };
            for (String message : second) {
                byte[] payload = bytes(message);
                SendOutcome outcome = lis.send(payload);
                String hash = EngineHarness.sha256(payload);
                String stored = engine.engine().ledger().read(s -> s.inbound().outcomeByContent(hash))
                        .map(o -> o.disposition() + " " + o.ackCode()).orElse("not stored");
                answers.add(outcome.ackCode() + " / " + stored + " / rows with this content "
                        + count(engine, "SELECT COUNT(*) FROM inbound_message WHERE content_hash = '" + hash + "'"));
            }
            awaitDelivered(engine);
            return new Observed(answers,
                    strings(engine, "SELECT order_key, cpt, kind, generation, status, date_of_service, units"
                            + " FROM charge_line ORDER BY id"),
                    dfts(engine),
                    count(engine, "SELECT COUNT(*) FROM inbound_message"));
        }
    }

    @Test
    void aResendACorrectionAndACancelBehaveTheSameAfterRawBytesWerePruned() throws Exception {
        Observed control = play("control", false);
        Observed pruned = play("pruned", true);

        assertThat(pruned).isEqualTo(control);
        // And the story is the one intended: the resend is recognised, nothing is reprocessed for it.
        assertThat(pruned.answers().get(0)).endsWith("rows with this content 1");
        assertThat(pruned.answers()).allSatisfy(a -> assertThat(a).startsWith("AA"));
        assertThat(pruned.dfts().size()).as("charges, then the correction's and the cancel's DFTs")
                .isGreaterThan(3);
        System.out.printf("control = pruned:%n  answers %s%n  lines %s%n  dfts %s%n", pruned.answers(),
                pruned.lines(), pruned.dfts());
    }

    // ---- reading the ledger -------------------------------------------------------------------------------------

    private static void awaitDelivered(EngineHarness engine) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> engine.outbox()
                .stream().allMatch(r -> r.status().equals("DELIVERED") || r.status().equals("WITHDRAWN")));
    }

    private static Connection connect(EngineHarness engine) throws SQLException {
        return DriverManager.getConnection(engine.ledgerUrl(), "sa", "");
    }

    private static long count(EngineHarness engine, String query) throws SQLException {
        try (Connection c = connect(engine); PreparedStatement ps = c.prepareStatement(query);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> strings(EngineHarness engine, String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(engine); PreparedStatement ps = c.prepareStatement(query);
             ResultSet rs = ps.executeQuery()) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    b.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                out.add(b.toString());
            }
        }
        return out;
    }

    /** Each DFT: its order, status and the FT1 fields that make it a charge or a credit of what. */
    private static List<String> dfts(EngineHarness engine) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(engine);
             PreparedStatement ps = c.prepareStatement("SELECT order_key, status, payload, document FROM outbox"
                     + " ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                // A DFT queued as its document (migration V7) is built from it, as the outbox sender does.
                byte[] payload = rs.getString(4) == null ? rs.getBytes(3) : OutboxDocuments.renderStored(rs.getString(4));
                out.add(rs.getString(1) + " " + rs.getString(2) + " FT1-4 " + Er7.of(payload).get("FT1-4")
                        + " FT1-6 " + Er7.of(payload).get("FT1-6") + " FT1-7 "
                        + Er7.of(payload).get("FT1-7-1") + " FT1-10 " + Er7.of(payload).get("FT1-10"));
            }
        }
        return out;
    }
}
