package org.iepcharge.config;

/** A bad setting: start-up stops with a message that names it and where it came from. */
public final class SettingsException extends RuntimeException {
    public SettingsException(String message) {
        super(message, null, false, false);
    }
}
