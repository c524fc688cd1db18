package org.iepcharge.logging;

import java.time.ZoneId;

import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;

/**
 * {@value EngineLogging#PATTERN} — the shipped pattern — written out directly, with the stack trace logback's
 * {@code PatternLayout} appends to such a pattern (its {@code ThrowableProxyConverter}, used here as is). The same
 * text byte for byte ({@code EngineLoggingTest} renders events through both), without {@code PatternLayout}: its class
 * initialisation makes a constructor reference for each of its ≈ 70 conversion words, 66 lambda classes spun on the
 * main thread before anything else of start-up can begin (≈ 0.1 s of CPU; docs/operating.md "Start-up").
 * A configuration file ({@code -Dlogback.configurationFile}) still gets logback's own layouts.
 */
final class EngineLayout extends LayoutBase<ILoggingEvent> {
    /** {@code %logger{36}}. */
    private final TargetLengthBasedClassNameAbbreviator logger = new TargetLengthBasedClassNameAbbreviator(36);
    /** {@code %time}, in the JVM's time zone taken at start, as the converter does. */
    private final ClockTimeConverter time = new ClockTimeConverter();
    private final ZoneId zone = ZoneId.systemDefault();
    private final ThrowableProxyConverter stackTrace = new ThrowableProxyConverter();

    @Override
    public void start() {
        stackTrace.setContext(getContext());
        stackTrace.start();
        super.start();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(128);
        line.append(time.format(event.getTimeStamp(), zone)).append(' ');
        // %-5level: padded on the right to five characters
        String level = event.getLevel().toString();
        line.append(level);
        for (int i = level.length(); i < 5; i++) {
            line.append(' ');
        }
        line.append(" [").append(event.getThreadName()).append("] ").append(logger.abbreviate(event.getLoggerName()))
                .append(" - ").append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
        if (event.getThrowableProxy() != null) {
            line.append(stackTrace.convert(event));
        }
        return line.toString();
    }
}
