package org.iepcharge.logging;

import java.io.OutputStream;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;

/**
 * The console logging as EngineLogging set it up before perf-route3 — logback's AsyncAppender in front of its
 * ConsoleAppender, {@code %d{HH:mm:ss.SSS}} — to compare the shipped one with: its lines (StderrBatchAppenderTest) and
 * its CPU per line (LogCostProbe).
 */
public final class PreviousLogging {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";

    private PreviousLogging() {
    }

    /** A started context logging everything to {@code out}, or to System.err when {@code out} is null. */
    public static LoggerContext start(OutputStream out) {
        LoggerContext context = newContext();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>() {
            @Override
            public void start() {
                super.start();
                if (out != null) {
                    setOutputStream(out); // the console, captured
                }
            }
        };
        console.setContext(context);
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setQueueSize(8192);
        async.setDiscardingThreshold(0);
        async.addAppender(console);
        async.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(async);
        return context;
    }

    /** A context as the slf4j provider makes it for the engine (with its MDC adapter), not configured yet. */
    public static LoggerContext newContext() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        return context;
    }
}
