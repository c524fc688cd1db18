package org.iepcharge.logging;

import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The shipped logging configuration, set up in code: found by logback through {@code META-INF/services} before its
 * XML configurator. Reading {@code logback.xml} with Joran (a SAX parser, the model, its handlers: ≈ 600 classes)
 * took 0.2-0.4 s of the engine's start-up (docs/operating.md "Start-up"); this takes a few milliseconds.
 *
 * <p>{@code logback-engine.xml} in the jar is the same configuration as a file (EngineLoggingTest keeps the two
 * equal); with {@code -Dlogback.configurationFile=FILE} this configurator steps aside and logback reads FILE, as
 * before.
 *
 * <p>PHI policy: INFO and above carry control IDs (MSH-10), message types and outcomes only. Everything goes to
 * stderr: the command line keeps stdout for its reports (send, explain, holds, outbox).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class EngineLogging extends ContextAwareBase implements Configurator {
    /** logback's own system property naming a configuration file. */
    static final String CONFIGURATION_FILE_PROPERTY = "logback.configurationFile";
    /**
     * The shipped pattern, as the file spells it; the code writes it with {@link EngineLayout}. {@code %time}
     * ({@link ClockTimeConverter}) writes what {@code %d{HH:mm:ss.SSS}} writes, for less CPU.
     */
    static final String PATTERN = "%time %-5level [%thread] %logger{36} - %msg%n";
    static final int QUEUE_SIZE = StderrBatchAppender.DEFAULT_QUEUE_SIZE;
    static final int LINGER_MILLIS = StderrBatchAppender.DEFAULT_LINGER_MILLIS;

    /**
     * Framework loggers and their levels (the root logger is INFO). camel-mllp quotes message bytes in its WARN texts
     * ("Ignoring trailing out-of-band data: MSH|…PID|…", "ignoring N bytes received before START_OF_BLOCK: …") even
     * with camel.component.mllp.log-phi=false set by the engine: measured by PhiLogScanIT on the mllp: listener. Its
     * errors still show; the engine logs its own outcomes.
     */
    static final Map<String, Level> LEVELS = Map.of(
            "org.apache.camel", Level.INFO,
            "org.apache.camel.component.netty", Level.WARN,
            "org.apache.camel.component.mllp", Level.ERROR,
            "ca.uhn.hl7v2", Level.WARN,
            "org.flywaydb", Level.WARN,
            "io.netty", Level.WARN);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(CONFIGURATION_FILE_PROPERTY) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        // PATTERN, written by EngineLayout rather than parsed by logback's PatternLayout (same text, faster start).
        EngineLayout layout = new EngineLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        // Writing to the console happens off the message threads, in batches, so an ACK never waits for the log.
        // Nothing is dropped; `run` stops the logging context after the engine's last line, writing what is queued.
        StderrBatchAppender stderr = new StderrBatchAppender();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setQueueSize(QUEUE_SIZE);
        stderr.setLingerMillis(LINGER_MILLIS);
        stderr.setEncoder(encoder);
        stderr.start();
        LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
