package org.iepcharge.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.CoreConstants;
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

    /** What a configuration amounts to, in terms both set-ups can be read in. */
    private record Shape(List<String> levels, String appender, Map<String, String> conversionWords) {
        @SuppressWarnings("unchecked")
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
            Map<String, String> words = new TreeMap<>();
            Map<String, Supplier<DynamicConverter>> rules = (Map<String, Supplier<DynamicConverter>>) context
                    .getObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
            if (rules != null) {
                rules.forEach((word, supplier) -> words.put(word, supplier.get().getClass().getName()));
            }
            return new Shape(levels,
                    stderr.getName() + " queue " + stderr.getQueueSize() + " linger " + stderr.getLingerMillis()
                            + " ms " + ((PatternLayoutEncoder) stderr.getEncoder()).getPattern() + " started "
                            + stderr.isStarted() + " encoder started " + stderr.getEncoder().isStarted(),
                    words);
        }
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
        assertThat(code.appender()).startsWith("STDERR queue 8192 linger 5 ms %time ");
        assertThat(code.conversionWords()).containsEntry("time", ClockTimeConverter.class.getName());
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
