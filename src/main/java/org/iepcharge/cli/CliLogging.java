package org.iepcharge.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps framework INFO chatter (context start, "connection established") out of the output of the interactive
 * commands, whose stdout is their per-message report. Warnings and errors still show. The previous levels come back
 * on {@link #close()}, so an in-process caller (tests, the engine) keeps its own configuration.
 */
final class CliLogging implements AutoCloseable {
    private final Map<Logger, Level> previous = new LinkedHashMap<>();

    private CliLogging() {
    }

    /** Raises the named loggers to WARN until closed; a no-op when logback is not the slf4j binding. */
    static CliLogging quiet(String... loggerNames) {
        return atLevel(Level.WARN, loggerNames);
    }

    /**
     * Silences the named loggers until closed: for a step whose failure the command reports itself in one line,
     * where the framework would also log it with a stack trace.
     */
    static CliLogging silence(String... loggerNames) {
        return atLevel(Level.OFF, loggerNames);
    }

    private static CliLogging atLevel(Level level, String... loggerNames) {
        CliLogging change = new CliLogging();
        for (String name : loggerNames) {
            if (LoggerFactory.getLogger(name) instanceof Logger logger) {
                change.previous.put(logger, logger.getLevel());
                logger.setLevel(level);
            }
        }
        return change;
    }

    @Override
    public void close() {
        previous.forEach(Logger::setLevel);
    }
}
