package org.iepcharge.bench;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.hl7.HL7MLLPNettyDecoderFactory;
import org.apache.camel.component.hl7.HL7MLLPNettyEncoderFactory;
import org.apache.camel.component.mllp.MllpComponent;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The bare Camel listeners the engine is compared with, each in its own CamelContext, exactly as
 * docs/transport-notes.md describes them:
 * <ul>
 *   <li>{@code netty-echo}: camel-netty TCP consumer with camel-hl7's MLLP codec, {@code sync=true},
 *       {@code usingExecutorService=false} (processing on the I/O thread), answering an AA whose MSA-2 echoes MSH-10;
 *   <li>{@code mllp-echo}: camel-mllp consumer, {@code autoAck=true}, body emptied.
 * </ul>
 * The netty variant, counting what it receives, is also the billing stand-in of the bench: it only ACKs.
 */
public final class EchoServer implements AutoCloseable {
    public enum Kind { NETTY, MLLP }

    /**
     * Name of the netty stand-in's I/O threads, where it does all its work: the bench reports their CPU per DFT apart
     * from the engine's own netty threads.
     */
    static final String WORKER_THREADS = "bench-echo-io";

    private final CamelContext camel;
    /** The netty variant's I/O threads, its own so that they carry their own name; null for MLLP. */
    private final io.netty.channel.EventLoopGroup workers;
    private final AtomicLong received = new AtomicLong();
    /** While set, the netty stand-in holds every ACK until it is counted down ({@link #hold}, {@link #release}). */
    private volatile java.util.concurrent.CountDownLatch held;

    private EchoServer(Kind kind, String host, int port) throws Exception {
        camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName("bench-" + kind.name().toLowerCase() + "-echo-" + port);
        camel.setStartupSummaryLevel(StartupSummaryLevel.Off);
        if (kind == Kind.NETTY) {
            HL7MLLPNettyDecoderFactory decoder = new HL7MLLPNettyDecoderFactory();
            decoder.setProduceString(false);
            decoder.setConvertLFtoCR(false);
            HL7MLLPNettyEncoderFactory encoder = new HL7MLLPNettyEncoderFactory();
            encoder.setProduceString(false);
            camel.getRegistry().bind("benchDecoder", decoder);
            camel.getRegistry().bind("benchEncoder", encoder);
            workers = new io.netty.channel.nio.NioEventLoopGroup(0,
                    new io.netty.util.concurrent.DefaultThreadFactory(WORKER_THREADS, true));
            camel.getRegistry().bind("benchWorkers", workers);
        } else {
            workers = null;
            MllpComponent mllp = new MllpComponent();
            mllp.setLogPhi(false);
            camel.addComponent("mllp", mllp);
        }
        String uri = kind == Kind.NETTY
                ? "netty:tcp://" + host + ":" + port + "?sync=true&usingExecutorService=false&reuseAddress=true"
                        + "&decoders=#benchDecoder&encoders=#benchEncoder&workerGroup=#benchWorkers"
                : "mllp:" + host + ":" + port + "?autoAck=true&maxConcurrentConsumers=64";
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                if (kind == Kind.NETTY) {
                    from(uri).routeId("bench-netty-echo").process(e -> {
                        java.util.concurrent.CountDownLatch h = held;
                        if (h != null) {
                            h.await(); // on the connection's I/O thread: this connection answers nothing meanwhile
                        }
                        received.incrementAndGet();
                        e.getMessage().setBody(EchoAck.ack(e.getMessage().getBody(byte[].class)));
                    });
                } else {
                    from(uri).routeId("bench-mllp-echo").process(e -> received.incrementAndGet())
                            .setBody(constant(""));
                }
            }
        });
        camel.start();
    }

    public static EchoServer start(Kind kind, String host, int port) throws Exception {
        return new EchoServer(kind, host, port);
    }

    /** From now on, ACKs wait (each connection stalls on its first frame) until {@link #release}. */
    public void hold() {
        held = new java.util.concurrent.CountDownLatch(1);
    }

    /** Answers what was held and everything after. */
    public void release() {
        java.util.concurrent.CountDownLatch h = held;
        held = null;
        if (h != null) {
            h.countDown();
        }
    }

    /** Frames answered since start. */
    public long received() {
        return received.get();
    }

    @Override
    public void close() {
        camel.stop();
        if (workers != null) {
            workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
