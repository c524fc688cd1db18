package org.iepcharge.camel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where a setting's value comes from, in this precedence: system property ({@code -Diep.inbound.port=2575}),
 * environment variable ({@code IEP_INBOUND_PORT=2575}), properties file ({@code iep.config}, default
 * {@code ./iep.properties} when present), built-in default.
 */
final class SettingSource {
    private final Map<String, String> systemProperties;
    private final Map<String, String> environment;
    private final Properties file;
    private final String fileName;

    private SettingSource(Map<String, String> systemProperties, Map<String, String> environment, Properties file,
                          String fileName) {
        this.systemProperties = systemProperties;
        this.environment = environment;
        this.file = file;
        this.fileName = fileName;
    }

    static SettingSource of(Map<String, String> systemProperties, Map<String, String> environment) {
        String configured = Optional.ofNullable(systemProperties.get("iep.config"))
                .orElse(environment.get("IEP_CONFIG"));
        Path path = Path.of(configured == null ? "iep.properties" : configured);
        Properties properties = new Properties();
        if (Files.isRegularFile(path)) {
            try (InputStream in = Files.newInputStream(path)) {
                properties.load(in);
            } catch (IOException e) {
                throw new SettingsException("Setting iep.config: cannot read properties file " + path + " ("
                        + e.getClass().getSimpleName() + ")");
            }
        } else if (configured != null) {
            throw new SettingsException("Setting iep.config: properties file " + path + " does not exist");
        }
        return new SettingSource(systemProperties, environment, properties, path.toString());
    }

    /** A found value and a phrase naming its origin, for error messages. */
    record Value(String text, String origin) {
    }

    Optional<Value> find(String key) {
        String sys = systemProperties.get(key);
        if (sys != null) {
            return Optional.of(new Value(sys.trim(), "system property " + key));
        }
        String envName = environmentName(key);
        String env = environment.get(envName);
        if (env != null) {
            return Optional.of(new Value(env.trim(), "environment variable " + envName));
        }
        String fromFile = file.getProperty(key);
        if (fromFile != null) {
            return Optional.of(new Value(fromFile.trim(), "properties file " + fileName));
        }
        return Optional.empty();
    }

    /** {@code iep.inbound.maxFrameBytes} → {@code IEP_INBOUND_MAX_FRAME_BYTES}. */
    static String environmentName(String key) {
        return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(java.util.Locale.ROOT);
    }
}
