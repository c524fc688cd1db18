package org.iepcharge.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.pattern.DynamicConverter;
import org.iepcharge.testkit.SystemProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The logging configuration in code ({@link EngineLogging}) and the same as a file ({@code logback-engine.xml}, what an
 * operator copies to start from) describe one configuration: same levels, same asynchronous,
 * batching stderr appender with the same pattern and conversion words. And the engine's JVM uses the code one, unless
 * {@code -Dlogback.configurationFile} names a file.
 */
class EngineLoggingTest {
    @RegisterExtension
    final SystemProperties properties = new SystemProperties();

    /**
     * What a configuration amounts to, in terms both set-ups can be read in: the text its encoder writes for a few
     * events stands for its pattern (the code writes it with EngineLayout, the file with logback's PatternLayout).
     */
    private record Shape(List<String> levels, String appender, String rendered) {
        static Shape of(LoggerContext context) {
            List<String> levels = new ArrayList<>();
            for (Logger logger : context.getLoggerList()) {
                if (logger.getLevel() != null) {
                    levels.add(logger.getName() + "=" + logger.getLevel());
                }
            }
            levels.sort(null);
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            List<Appender<ILoggingEvent>> rootAppenders = new ArrayList<>();
            root.iteratorForAppenders().forEachRemaining(rootAppenders::add);
            assertThat(rootAppenders).hasSize(1);
            StderrBatchAppender stderr = (StderrBatchAppender) rootAppenders.get(0);
            return new Shape(levels,
                    stderr.getName() + " queue " + stderr.getQueueSize() + " linger " + stderr.getLingerMillis()
                            + " ms started " + stderr.isStarted() + " encoder started "
                            + stderr.getEncoder().isStarted(),
                    render(stderr.getEncoder(), context));
        }
    }

    /** One exception for every rendering (its stack trace is part of the text compared). */
    private static final IllegalStateException FAILURE = failure();

    private static IllegalStateException failure() {
        IllegalStateException failure = new IllegalStateException("outer", new IOException("inner cause"));
        failure.addSuppressed(new IllegalArgumentException("suppressed"));
        return failure;
    }

    /**
     * What an encoder writes for a few events: levels, short and long logger names, a stack trace with a cause and a
     * suppressed exception, times a minute and a millisecond apart (the time text is cached per second).
     */
    static String render(Encoder<ILoggingEvent> encoder, LoggerContext context) {
        StringBuilder out = new StringBuilder();
        Object[][] events = {
                {"org.iepcharge.camel.Engine", Level.INFO, "IEP charge router listening on {}:{}", null},
                {"org.apache.camel.impl.engine.AbstractCamelContext", Level.WARN, "Routes startup (total:{})", null},
                {"org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer", Level.ERROR,
                        "Cannot bind", FAILURE},
                {"x", Level.DEBUG, "short {}", null},
                {"org.iepcharge.ledger.GroupCommitter", Level.TRACE, "no arguments", null},
                {"org.iepcharge.camel.LisInbound", Level.INFO, "ORU-1 ORU^R01 -> AA", null}};
        long at = 1_765_000_000_123L;
        for (Object[] e : events) {
            LoggingEvent event = new LoggingEvent(Logger.class.getName(), context.getLogger((String) e[0]),
                    (Level) e[1], (String) e[2], (Throwable) e[3], new Object[] {"0.0.0.0", 2575});
            event.setTimeStamp(at);
            event.setThreadName("iep-start-ledger");
            out.append(new String(encoder.encode(event), StandardCharsets.UTF_8));
            at += at % 2 == 0 ? 61_001 : 1;
        }
        return out.toString();
    }

    /**
     * EngineLayout writes what logback's PatternLayout makes of the shipped pattern, byte for byte, stack traces
     * included.
     */
    @Test
    void theEngineLayoutWritesWhatThePatternDoes() {
        LoggerContext context = new LoggerContext();
        Map<String, Supplier<DynamicConverter>> rules = new HashMap<>();
        rules.put("time", ClockTimeConverter::new);
        context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
        PatternLayoutEncoder pattern = new PatternLayoutEncoder();
        pattern.setContext(context);
        pattern.setPattern(EngineLogging.PATTERN);
        pattern.start();
        EngineLayout layout = new EngineLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> engine = new LayoutWrappingEncoder<>();
        engine.setContext(context);
        engine.setLayout(layout);
        engine.start();

        String expected = render(pattern, context);
        assertThat(expected).contains(" WARN  [iep-start-ledger] o.a.c.i.engine.AbstractCamelContext - Routes startup",
                "java.lang.IllegalStateException: outer", "Caused by: java.io.IOException: inner cause",
                "Suppressed: java.lang.IllegalArgumentException: suppressed", "\tat ");
        assertThat(render(engine, context)).isEqualTo(expected);
        context.stop();
    }

    @Test
    void theCodeAndTheShippedFileConfigureTheSame() throws Exception {
        LoggerContext fromCode = new LoggerContext();
        EngineLogging logging = new EngineLogging();
        logging.setContext(fromCode);
        assertThat(logging.configure(fromCode)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        LoggerContext fromFile = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(fromFile);
        URL file = EngineLogging.class.getClassLoader().getResource("logback-engine.xml");
        assertThat(file).as("logback-engine.xml in the jar").isNotNull();
        joran.doConfigure(file);

        Shape code = Shape.of(fromCode);
        assertThat(code).isEqualTo(Shape.of(fromFile));
        assertThat(code.levels()).contains("ROOT=INFO", "org.apache.camel.component.mllp=ERROR", "ca.uhn.hl7v2=WARN");
        assertThat(code.appender()).startsWith("STDERR queue 8192 linger 5 ms started true");
        assertThat(code.rendered()).contains(" INFO  [iep-start-ledger] org.iepcharge.camel.LisInbound - ORU-1 ORU^R01 -> AA");
        fromCode.stop();
        fromFile.stop();
    }

    @Test
    void aConfigurationFileNamedByTheUserIsLeftToLogback() {
        properties.set(EngineLogging.CONFIGURATION_FILE_PROPERTY, "/somewhere/logback.xml");
        LoggerContext context = new LoggerContext();
        EngineLogging logging = new EngineLogging();
        logging.setContext(context);

        assertThat(logging.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
    }

    @Test
    void thisJvmIsConfiguredByTheCode() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(Shape.of(context).appender()).startsWith("STDERR queue " + EngineLogging.QUEUE_SIZE);
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .anySatisfy(s -> assertThat(s.getMessage()).contains(EngineLogging.class.getName()));
    }
}
