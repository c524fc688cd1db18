package org.iepcharge.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.iepcharge.edge.Inbound;
import org.iepcharge.edge.InboundEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** That the bench works end to end (not how fast): a short run of the baselines and the engine. */
class BenchSmokeTest {

    @TempDir
    Path dir;

    @Test
    void theMixIsWhatTheEngineAcceptsAndEveryIepResultIsAnOrderOfItsOwn() {
        InboundEdge edge = new InboundEdge(StandardCharsets.UTF_8);
        MessageMix mix = new MessageMix("T1", 3, 1);
        MessageMix.Message orm = mix.next();
        MessageMix.Message cbc = mix.next();
        MessageMix.Message oru = mix.next();
        MessageMix.Message nextOrder = mix.next();
        assertThat(List.of(orm.kind(), cbc.kind(), oru.kind(), nextOrder.kind())).containsExactly(
                MessageMix.Kind.IEP_ORDER, MessageMix.Kind.OTHER_RESULT, MessageMix.Kind.IEP_RESULT,
                MessageMix.Kind.IEP_ORDER);
        for (MessageMix.Message m : List.of(orm, cbc, oru)) {
            Inbound in = edge.read(m.payload());
            assertThat(in.accepted()).as(new String(m.payload(), StandardCharsets.US_ASCII)).isTrue();
        }
        assertThat(org.iepcharge.hl7.Er7.of(orm.payload()).get("MSH-10")).isEqualTo("T13X0O");
        assertThat(org.iepcharge.hl7.Er7.of(nextOrder.payload()).get("MSH-10")).isEqualTo("T13X1O");
        assertThat(edge.read(oru.payload()).message().tests().get(0).key().placer())
                .isEqualTo(edge.read(orm.payload()).message().tests().get(0).key().placer());
        byte[] ack = EchoAck.ack(oru.payload());
        assertThat(EchoAck.msa1(ack, ack.length)).isEqualTo("AA");
        assertThat(new String(ack, StandardCharsets.US_ASCII)).contains("MSA|AA|T13X0R\r");
    }

    @Test
    void baselinesAndEngineAnswerEveryMessageAndTheEngineDeliversDfts() throws Exception {
        String project = System.getProperty("iep.test.projectDir", ".");
        BenchOptions options = new BenchOptions(Bench.ENGINE, "socket", "127.0.0.1", 0, 2, 0,
                Bench.seconds(0.3), Bench.seconds(1.0), 1, true, 0, dir.resolve("data"),
                Path.of(project, "routes"), Bench.seconds(10), Bench.seconds(0.3), false);
        StringWriter text = new StringWriter();
        List<BenchResult> results = new Bench(options, new PrintWriter(text)).run();

        assertThat(results).extracting(BenchResult::target).containsExactly("netty-echo", "mllp-echo", "durable-echo",
                "engine");
        for (BenchResult r : results) {
            assertThat(r.window().acked()).as(r.target()).isPositive();
            assertThat(r.window().accepted()).as(r.target()).isEqualTo(r.window().acked());
            assertThat(r.window().errors()).as(r.target()).isZero();
            assertThat(r.window().latencyMicros().getTotalCount()).as(r.target()).isPositive();
        }
        BenchResult engine = results.get(3);
        assertThat(engine.dftsDelivered()).isPositive();
        assertThat(engine.drainSeconds()).isGreaterThanOrEqualTo(0);
        assertThat(text.toString()).contains("ratio engine / netty-echo", "ratio engine / durable-echo", "p99.9", "RSS", "prewarm (closed loop");
    }

    /**
     * Counting, not speed: in a closed loop each connection has at most one message unanswered, so over any window
     * the sent and answered counts differ by at most the number of connections; every answer was counted once.
     */
    @Test
    void closedLoopCountsEverySentMessageAndItsAnswer() throws Exception {
        int port = Bench.freePort();
        int connections = 2;
        try (EchoServer server = EchoServer.start(EchoServer.Kind.NETTY, "127.0.0.1", port)) {
            SocketLoadClient client = new SocketLoadClient("127.0.0.1", port, connections, 0, "T3", 1);
            LoadClient.Window w = client.run(Bench.seconds(0.2), Bench.seconds(0.5), () -> { }, () -> { });
            assertThat(w.acked()).isPositive();
            assertThat(Math.abs(w.sent() - w.acked())).as("sent %d, answered %d", w.sent(), w.acked())
                    .isLessThanOrEqualTo(connections);
            assertThat(w.accepted()).isEqualTo(w.acked());
            assertThat(w.notAccepted()).isZero();
            assertThat(w.errors()).isZero();
            assertThat(server.received()).as("frames the echo server received").isGreaterThanOrEqualTo(w.acked());
        }
    }

    /** Open loop: messages go out on a schedule whatever the answers do; each answer is counted, none as an error. */
    @Test
    void openLoopSendsOnScheduleAndCountsEveryAnswer() throws Exception {
        int port = Bench.freePort();
        try (EchoServer server = EchoServer.start(EchoServer.Kind.NETTY, "127.0.0.1", port)) {
            SocketLoadClient client = new SocketLoadClient("127.0.0.1", port, 2, 400, "T2", 1);
            LoadClient.Window w = client.run(Bench.seconds(0.3), Bench.seconds(1.0), () -> { }, () -> { });
            assertThat(w.sent()).isPositive();
            assertThat(w.acked()).isPositive();
            assertThat(w.accepted()).isEqualTo(w.acked());
            assertThat(w.notAccepted()).isZero();
            assertThat(w.errors()).isZero();
            assertThat(w.latencyMicros().getTotalCount()).isPositive();
            assertThat(server.received()).as("frames the echo server received").isGreaterThanOrEqualTo(w.acked());
        }
    }
}
