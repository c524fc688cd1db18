package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import ca.uhn.hl7v2.AcknowledgmentCode;
import org.iepcharge.hl7.Er7;
import org.iepcharge.testkit.EngineHarness.Row;
import org.iepcharge.testkit.LabMessages;
import org.junit.jupiter.api.Test;

/**
 * The delivery contract of {@link BillingDeliveryTest} (outage, retries, parking, stale ACKs: every test of it runs
 * here again) with {@code iep.billing.connections=4}: four routes, four camel-mllp connections to one billing peer,
 * claiming and sending independently. Plus what only several connections can break: an order's later DFTs (its
 * credit and re-charge) overtaking its earlier ones on another connection, or a DFT sent twice.
 */
class BillingDeliveryOverFourConnectionsTest extends BillingDeliveryTest {
    private static final int ORDERS = 40;

    @Override
    Map<String, String> settings() {
        // A short poll, so idle connections look for work while a busy one sends its batch; a patient ACK wait, so a
        // slow moment of a loaded machine is not a timeout (a resend would be a redelivery here).
        return Map.of("iep.billing.connections", "4", "iep.billing.pollMillis", "10", "iep.billing.timeoutMillis", "5000");
    }

    @Test
    void chargesCreditsAndRechargesOfManyOrdersArriveOnceEachInTheirOrdersSequence() throws Exception {
        startBilling(AcknowledgmentCode.AA);
        for (int i = 1; i <= ORDERS; i++) {
            engine.orderAndFinalResult("PLP" + i);
        }
        // Every charge has left before its correction arrives, so the credit is sent, not withdrawn with the charge.
        eventually(() -> assertThat(all()).hasSize(ORDERS).extracting(Row::status).containsOnly("DELIVERED"));
        // A correction (new collection date): a credit of the charge and a re-charge, queued together, per order.
        for (int i = 1; i <= ORDERS; i++) {
            engine.lisSends(LabMessages.oru("PLP" + i, "C", "20261119080000"));
        }
        eventually(() -> assertThat(all()).hasSize(3 * ORDERS).extracting(Row::status).containsOnly("DELIVERED"));

        List<String> arrived = billing.receivedControlIds();
        assertThat(billing.redeliveryCount()).as("no DFT sent twice").isZero();
        assertThat(arrived).containsExactlyInAnyOrderElementsOf(all().stream().map(Row::controlId).toList());
        Map<String, List<Row>> byOrder = all().stream().collect(Collectors.groupingBy(Row::orderKey,
                LinkedHashMap::new, Collectors.toList()));
        assertThat(byOrder).hasSize(ORDERS);
        for (List<Row> order : byOrder.values()) {
            // Outbox rows are in queueing order (ids); billing must have got them in that order.
            List<String> queued = order.stream().map(Row::controlId).toList();
            Set<String> mine = Set.copyOf(queued);
            assertThat(arrived.stream().filter(mine::contains).toList()).as("order %s", order.get(0).orderKey())
                    .containsExactlyElementsOf(queued);
            assertThat(transactionTypes(queued)).as("charge, its credit, the re-charge")
                    .containsExactly("CG", "CD", "CG");
        }
        assertThat(billing.connectionCount()).as("DFTs arrived over several connections").isGreaterThanOrEqualTo(2);
    }

    /** FT1-6 of each DFT as billing filed it. */
    private List<String> transactionTypes(List<String> controlIds) throws Exception {
        List<String> types = new ArrayList<>();
        for (String id : controlIds) {
            try (var files = java.nio.file.Files.list(tmp.resolve("billing"))) {
                java.nio.file.Path file = files.filter(f -> f.getFileName().toString().endsWith("-" + id + ".hl7"))
                        .findFirst().orElseThrow();
                types.add(Er7.of(java.nio.file.Files.readAllBytes(file)).get("FT1-6"));
            }
        }
        return types;
    }
}
