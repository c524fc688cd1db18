package org.iepcharge.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Where a setting's value comes from, in this precedence: system property ({@code -Diep.inbound.port=2575}),
 * environment variable ({@code IEP_INBOUND_PORT=2575}), properties file ({@code iep.config}, default
 * {@code ./iep.properties} when present), built-in default.
 *
 * <p>It also remembers every key it was asked for: those are the settings the engine knows, so a key given but never
 * asked for (a typo) is refused by {@link #refuseUnknown}. Which names count as ours: system properties starting with
 * {@code iep.}, environment variables starting with {@code IEP_}, and every key of the properties file — except
 * {@code iep.config} / {@code IEP_CONFIG} (which file to read) and the {@code iep.test.} / {@code IEP_TEST_} names the
 * test suite uses for itself (e.g. {@code IEP_TEST_PG_URL}).
 */
final class SettingSource {
    private final Map<String, String> systemProperties;
    private final Map<String, String> environment;
    private final Properties file;
    private final String fileName;
    private final Set<String> asked = new LinkedHashSet<>();

    static final String CONFIG_KEY = "iep.config";
    static final String CONFIG_ENV = "IEP_CONFIG";
    static final String TEST_PREFIX = "iep.test.";
    static final String TEST_ENV_PREFIX = "IEP_TEST_";

    private SettingSource(Map<String, String> systemProperties, Map<String, String> environment, Properties file,
                          String fileName) {
        this.systemProperties = systemProperties;
        this.environment = environment;
        this.file = file;
        this.fileName = fileName;
    }

    static SettingSource of(Map<String, String> systemProperties, Map<String, String> environment) {
        String configured = Optional.ofNullable(systemProperties.get(CONFIG_KEY))
                .orElse(environment.get(CONFIG_ENV));
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

    /** No system properties, environment or file: every setting at its default. */
    static SettingSource empty() {
        return new SettingSource(Map.of(), Map.of(), new Properties(), "(none)");
    }

    Optional<Value> find(String key) {
        asked.add(key);
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

    /** The keys asked for so far, in order. */
    Set<String> askedKeys() {
        return Set.copyOf(asked);
    }

    /**
     * Refuses every key of ours that no setting read: each is named with where it came from and the closest known
     * key. {@code systemPropertyOnly} are known keys that are read only as JVM system properties (named anywhere else
     * they would be ignored, so they are refused there too).
     */
    void refuseUnknown(Collection<String> systemPropertyOnly) {
        Set<String> known = new LinkedHashSet<>(asked);
        Set<String> everywhere = new LinkedHashSet<>(asked);
        known.addAll(systemPropertyOnly);
        List<String> problems = new ArrayList<>();
        systemProperties.keySet().stream().sorted()
                .filter(k -> k.startsWith("iep.") && !k.equals(CONFIG_KEY) && !k.startsWith(TEST_PREFIX))
                .filter(k -> !known.contains(k))
                .forEach(k -> problems.add(k + " (system property -D" + k + "): no such setting; did you mean "
                        + closest(k, known) + "?"));
        Map<String, String> envNames = new java.util.TreeMap<>();
        known.forEach(k -> envNames.put(environmentName(k), k));
        environment.keySet().stream().sorted()
                .filter(n -> n.startsWith("IEP_") && !n.equals(CONFIG_ENV) && !n.startsWith(TEST_ENV_PREFIX))
                .forEach(n -> {
                    String key = envNames.get(n);
                    if (key == null) {
                        String near = closest(n, envNames.keySet());
                        problems.add(n + " (environment variable): no such setting; did you mean " + near + " ("
                                + envNames.get(near) + ")?");
                    } else if (!everywhere.contains(key)) {
                        problems.add(n + " (environment variable): " + key + " is read only as a JVM system property"
                                + " (-D" + key + "=…)");
                    }
                });
        file.stringPropertyNames().stream().sorted().forEach(k -> {
            String where = "properties file " + fileName + lineOf(k);
            if (k.equals(CONFIG_KEY)) {
                problems.add(k + " (" + where + "): names the properties file, so it is read only as a system"
                        + " property or " + CONFIG_ENV);
            } else if (!known.contains(k)) {
                problems.add(k + " (" + where + "): no such setting; did you mean " + closest(k, known) + "?");
            } else if (!everywhere.contains(k)) {
                problems.add(k + " (" + where + "): read only as a JVM system property (-D" + k + "=…)");
            }
        });
        if (!problems.isEmpty()) {
            throw new SettingsException((problems.size() == 1 ? "Unknown setting " : "Unknown settings:\n  ")
                    + String.join("\n  ", problems));
        }
    }

    /** " line N" of the properties file where {@code key} is set, or "" when it cannot be told. */
    private String lineOf(String key) {
        try {
            List<String> lines = Files.readAllLines(Path.of(fileName), java.nio.charset.StandardCharsets.ISO_8859_1);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).stripLeading();
                if (line.startsWith(key) && (line.length() == key.length()
                        || "=: \t".indexOf(line.charAt(key.length())) >= 0)) {
                    return " line " + (i + 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The line is a courtesy; the key and the file are named anyway.
        }
        return "";
    }

    /** The candidate nearest to {@code name} by edit distance, ignoring case (ties: the first in sorted order). */
    static String closest(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates.stream().sorted().toList()) {
            int d = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance: insertions, deletions and substitutions, each costing one. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
