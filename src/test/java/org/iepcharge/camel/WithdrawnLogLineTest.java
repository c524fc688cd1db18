package org.iepcharge.camel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.iepcharge.billing.DftBuilder;
import org.iepcharge.billing.DftSettings;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.capture.RulesLinePlanner;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.hl7.AckBuilder;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.rules.RuleSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * docs/decision-contract.md §7: a charge and its credit still in the outbox are withdrawn together. An analyst
 * reconciling billing reads the engine's log: the cancel that withdrew a charge must say WITHDRAWN there, not
 * "AA IGNORED" (which reads as "nothing to do with charges").
 */
class WithdrawnLogLineTest {

    @TempDir
    Path dir;

    private static final String PID = "PID|1||MRN1^^^MAINLAB^MR||Doe^Jane||19580312|F\r";

    private static String order(String id, String control) {
        return "MSH|^~\\&|LIS|MAINLAB|IEP|MAINLAB|20261121100000||ORM^O01^ORM_O01|" + id + "|P|2.5.1\r" + PID
                + "PV1|1|O|OUTPT^^^MAINLAB\r"
                + "IN1|1|MCR|00430^^^CMS|MEDICARE PART B\r"
                + "ORC|" + control + "|P1^LIS||||||||||1234567890^Welby^Marcus^^^^^^NPI\r"
                + "OBR|1|P1^LIS||13169-8^Immunoelectrophoresis serum^LN|||20261120080000\r"
                + "DG1|1||D47.2^Monoclonal gammopathy^I10||||F\r";
    }

    @Test
    void aCancelThatWithdrawsAPendingChargeIsLoggedAsWithdrawn() throws Exception {
        String text = new String(RuleSet.class.getResourceAsStream("/rules/default-rules.yaml").readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(text).contains("chargeTrigger: RESULT");
        Path rulesFile = dir.resolve("order-trigger.yaml");
        Files.writeString(rulesFile, text.replace("chargeTrigger: RESULT", "chargeTrigger: ORDER"));
        RuleSet rules = RuleSet.load(rulesFile);

        Logger log = (Logger) LoggerFactory.getLogger(LisInbound.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        try (JdbcLedger ledger = JdbcLedger.open(JdbcLedger.sqliteFileUrl(dir), "", "")) {
            ChargeCapture capture = new ChargeCapture(ledger, new RulesLinePlanner(rules),
                    new DftBuilder(new DftSettings("IEP", "LAB", "BILL", "BILLF")), true, Clock.systemUTC());
            LisInbound inbound = new LisInbound(new InboundEdge(StandardCharsets.UTF_8), capture,
                    new AckBuilder("IEP", "LAB"), new SimpleMeterRegistry());
            DefaultCamelContext camel = new DefaultCamelContext();

            String placed = answer(inbound, camel, order("WD-NW", "NW"));
            // Billing has not taken the charge yet (nothing delivers here): the cancel withdraws it with its credit.
            String cancelled = answer(inbound, camel, order("WD-OC", "OC"));

            assertThat(placed).contains("MSA|AA|WD-NW");
            assertThat(cancelled).contains("MSA|AA|WD-OC");
            assertThat(ledger.undelivered()).as("neither the charge nor its credit is sent").isEmpty();
        } finally {
            log.detachAppender(events);
        }
        List<String> lines = events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("WD-NW ").endsWith("-> AA CHARGED"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("WD-OC ").endsWith("-> AA WITHDRAWN"));
        assertThat(lines).noneMatch(l -> l.startsWith("WD-OC ") && l.contains("IGNORED"));
    }

    private static String answer(LisInbound inbound, DefaultCamelContext camel, String message) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(message.getBytes(StandardCharsets.UTF_8));
        inbound.process(exchange);
        return new String(exchange.getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
    }
}
