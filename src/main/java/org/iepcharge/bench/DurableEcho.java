package org.iepcharge.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.hl7.HL7MLLPNettyDecoderFactory;
import org.apache.camel.component.hl7.HL7MLLPNettyEncoderFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.iepcharge.hl7.Er7;

/**
 * The {@code durable-echo} baseline: the least work any listener that keeps our promise (an ACK only after a
 * crash-safe commit) can do in this stack. camel-netty with camel-hl7's MLLP codec, a HAPI parse (v2.5.1 canonical,
 * no validation), a HAPI-built ACK, and the raw message inserted into SQLite (WAL, synchronous=NORMAL, as the
 * embedded ledger with durability=process) by one group-committing writer, each ACK after the commit that holds its
 * row. No rules, no DFT, no duplicate detection.
 */
final class DurableEcho implements AutoCloseable {
    private static final int MAX_BATCH = 128;

    private record Pending(String controlId, byte[] raw, CompletableFuture<Void> committed) {
    }

    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(10_000);
    private final Connection db;
    private final Thread writer;
    private final CamelContext camel;
    private volatile boolean running = true;

    private DurableEcho(String host, int port, Path dir) throws Exception {
        db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("echo.db"));
        try (Statement st = db.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("PRAGMA synchronous = NORMAL");
            st.execute("CREATE TABLE IF NOT EXISTS echo_message (id INTEGER PRIMARY KEY, control_id TEXT NOT NULL,"
                    + " raw BLOB NOT NULL)");
        }
        // One connection, written by this thread only: the driver's own transactions are fine here.
        db.setAutoCommit(false);
        writer = new Thread(this::writeLoop, "durable-echo-writer");
        writer.setDaemon(true);
        writer.start();

        HapiContext hapi = new DefaultHapiContext(new CanonicalModelClassFactory("2.5.1"));
        hapi.setValidationContext(ValidationContextFactory.noValidation());
        hapi.getParserConfiguration().setValidating(false);
        // The ACK's MSH-10: HAPI's default generator would write an id_file into the working directory.
        hapi.getParserConfiguration().setIdGenerator(new InMemoryIDGenerator());
        PipeParser parser = hapi.getPipeParser();

        camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName("bench-durable-echo-" + port);
        camel.setStartupSummaryLevel(StartupSummaryLevel.Off);
        HL7MLLPNettyDecoderFactory decoder = new HL7MLLPNettyDecoderFactory();
        decoder.setProduceString(false);
        decoder.setConvertLFtoCR(false);
        HL7MLLPNettyEncoderFactory encoder = new HL7MLLPNettyEncoderFactory();
        encoder.setProduceString(false);
        camel.getRegistry().bind("benchDecoder", decoder);
        camel.getRegistry().bind("benchEncoder", encoder);
        // usingExecutorService (the default): the wait for the commit happens off the I/O threads.
        String uri = "netty:tcp://" + host + ":" + port + "?sync=true&reuseAddress=true"
                + "&decoders=#benchDecoder&encoders=#benchEncoder";
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).routeId("bench-durable-echo").process(e -> {
                    byte[] raw = e.getMessage().getBody(byte[].class);
                    Message in = parser.parse(new String(raw, StandardCharsets.ISO_8859_1));
                    String ack = parser.encode(in.generateACK());
                    CompletableFuture<Void> committed = new CompletableFuture<>();
                    queue.put(new Pending(Er7.of(raw).field("MSH-10"), raw, committed));
                    committed.get(30, TimeUnit.SECONDS);
                    e.getMessage().setBody(ack.getBytes(StandardCharsets.ISO_8859_1));
                });
            }
        });
        camel.start();
    }

    static DurableEcho start(String host, int port, Path dir) throws Exception {
        return new DurableEcho(host, port, dir);
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        try (PreparedStatement insert = db.prepareStatement(
                "INSERT INTO echo_message (control_id, raw) VALUES (?, ?)")) {
            while (running || !queue.isEmpty()) {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                try {
                    for (Pending p : batch) {
                        insert.setString(1, p.controlId());
                        insert.setBytes(2, p.raw());
                        insert.executeUpdate();
                    }
                    db.commit();
                    batch.forEach(p -> p.committed().complete(null));
                } catch (SQLException e) {
                    batch.forEach(p -> p.committed().completeExceptionally(e));
                    db.rollback();
                }
                batch.clear();
            }
        } catch (SQLException e) {
            batch.forEach(p -> p.committed().completeExceptionally(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws Exception {
        camel.stop();
        running = false;
        writer.join(10_000);
        db.close();
    }
}
