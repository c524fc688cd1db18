package org.iepcharge.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Producer;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.component.mllp.MllpComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.service.ServiceHelper;

/**
 * The closed loop driven by Camel's own camel-mllp producer: one endpoint (one socket) per connection, each send
 * waiting for its ACK. Kept to compare against {@link SocketLoadClient}: the camel-mllp producer cannot pipeline, so
 * it cannot offer an open-loop rate, and its per-exchange cost is paid on the same 2 cores as the target.
 */
public final class CamelMllpLoadClient implements LoadClient {
    private static final String ACK_HEADER = "CamelMllpAcknowledgement";

    private final String host;
    private final int port;
    private final int connections;
    private final String runTag;
    private final int nonIepPerOrder;
    private final LoadTally tally = new LoadTally();
    private volatile boolean stop;

    public CamelMllpLoadClient(String host, int port, int connections, String runTag, int nonIepPerOrder) {
        this.host = host;
        this.port = port;
        this.connections = connections;
        this.runTag = runTag;
        this.nonIepPerOrder = nonIepPerOrder;
    }

    @Override
    public Window run(Duration warmup, Duration measure, Runnable onWindowStart, Runnable onWindowEnd)
            throws Exception {
        CamelContext camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName("bench-client");
        camel.setStartupSummaryLevel(StartupSummaryLevel.Off);
        MllpComponent mllp = new MllpComponent();
        mllp.setLogPhi(false);
        camel.addComponent("mllp", mllp);
        camel.start();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(connections);
        try {
            for (int c = 0; c < connections; c++) {
                // A new endpoint object per connection: each camel-mllp producer owns one socket.
                Endpoint endpoint = mllp.createEndpoint("mllp:" + host + ":" + port
                        + "?connectTimeout=5000&receiveTimeout=30000&readTimeout=30000");
                Producer producer = endpoint.createProducer();
                ServiceHelper.startService(endpoint, producer);
                MessageMix mix = new MessageMix(runTag, c, nonIepPerOrder);
                Thread t = new Thread(() -> loop(endpoint, producer, mix, ready), "bench-camel-conn-" + c);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            return tally.measure(ready, warmup, measure, onWindowStart, onWindowEnd);
        } finally {
            stop = true;
            for (Thread t : threads) {
                t.join(30_000);
            }
            camel.stop();
        }
    }

    private void loop(Endpoint endpoint, Producer producer, MessageMix mix, CountDownLatch ready) {
        ready.countDown();
        while (!stop) {
            Exchange exchange = endpoint.createExchange(ExchangePattern.InOut);
            exchange.getMessage().setBody(mix.next().payload());
            long started = System.nanoTime();
            try {
                producer.process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            tally.sent();
            long micros = (System.nanoTime() - started) / 1_000;
            byte[] ack = exchange.getMessage().getHeader(ACK_HEADER, byte[].class);
            if (ack == null) {
                tally.error();
                continue;
            }
            tally.answered(ack, ack.length, micros);
        }
    }
}
