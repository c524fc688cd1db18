package org.iepcharge.rules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * One YAML mapping of the rules file, read through snakeyaml-engine's node API so that every value keeps its line.
 * Readers report problems (with file, line and dotted key path) instead of throwing, and return a default, so one
 * load reports every problem of the file.
 */
final class YamlMapping {
    /** A scalar with where it came from, for problems found after reading (e.g. cross-checks). */
    record Scalar(String value, int line, String path) {
    }

    private final String path;
    private final int line;
    private final Problems problems;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

    YamlMapping(MappingNode node, String path, Problems problems) {
        this.path = path;
        this.line = lineOf(node);
        this.problems = problems;
        for (NodeTuple tuple : node.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                problems.add(lineOf(tuple.getKeyNode()), path, "a key must be a plain word");
                continue;
            }
            if (entries.putIfAbsent(key.getValue(), tuple) != null) {
                problems.add(lineOf(key), pathOf(key.getValue()), "duplicate key (the first one is on line "
                        + lineOf(entries.get(key.getValue()).getKeyNode()) + ")");
            }
        }
    }

    static int lineOf(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    String path() {
        return path;
    }

    int line() {
        return line;
    }

    Problems problems() {
        return problems;
    }

    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Line of a key (of the mapping itself when the key is absent). */
    int lineOf(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null ? line : lineOf(tuple.getKeyNode());
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    Set<String> keys() {
        return entries.keySet();
    }

    /** Reports each key not in {@code allowed}: a misspelt key would otherwise silently leave a default in force. */
    void allowOnly(String... allowed) {
        Set<String> known = new TreeSet<>(Arrays.asList(allowed));
        for (NodeTuple tuple : entries.values()) {
            String key = ((ScalarNode) tuple.getKeyNode()).getValue();
            if (!known.contains(key)) {
                problems.add(lineOf(tuple.getKeyNode()), pathOf(key),
                        "unknown key (allowed here: " + String.join(", ", known) + ")");
            }
        }
    }

    void problem(String key, String message) {
        problems.add(lineOf(key), pathOf(key), message);
    }

    Optional<Scalar> scalar(String key) {
        NodeTuple tuple = entries.get(key);
        if (tuple == null) {
            return Optional.empty();
        }
        Node value = tuple.getValueNode();
        if (!(value instanceof ScalarNode scalar)) {
            problem(key, "must be a single value, not a " + describe(value));
            return Optional.empty();
        }
        if (scalar.getValue().isBlank()) {
            problem(key, "has no value");
            return Optional.empty();
        }
        return Optional.of(new Scalar(scalar.getValue().trim(), lineOf(scalar), pathOf(key)));
    }

    Optional<String> text(String key) {
        return scalar(key).map(Scalar::value);
    }

    String text(String key, String defaultValue) {
        return text(key).orElse(defaultValue);
    }

    String requiredText(String key) {
        if (!has(key)) {
            problems.add(line, pathOf(key), "is required");
            return "";
        }
        return text(key).orElse("");
    }

    boolean bool(String key, boolean defaultValue) {
        Optional<String> value = text(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> {
                problem(key, "\"" + value.get() + "\" is not true or false");
                yield defaultValue;
            }
        };
    }

    int integer(String key, int defaultValue, int min, int max) {
        Optional<String> value = text(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value.get());
            if (n < min || n > max) {
                problem(key, n + " is out of range (" + min + " to " + max + ")");
                return defaultValue;
            }
            return n;
        } catch (NumberFormatException e) {
            problem(key, "\"" + value.get() + "\" is not a whole number");
            return defaultValue;
        }
    }

    <E extends Enum<E>> E choice(String key, Class<E> type, E defaultValue) {
        Optional<String> value = text(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(value.get())) {
                return constant;
            }
        }
        problem(key, "\"" + value.get() + "\" is not one of " + Arrays.stream(type.getEnumConstants())
                .map(Enum::name).collect(Collectors.joining(", ")));
        return defaultValue;
    }

    /** A list of single values; {@code key: []} and an absent key both give an empty list. */
    List<Scalar> scalars(String key) {
        NodeTuple tuple = entries.get(key);
        if (tuple == null) {
            return List.of();
        }
        Node value = tuple.getValueNode();
        if (!(value instanceof SequenceNode sequence)) {
            problem(key, "must be a list, e.g. [A, B] (an empty list is [])");
            return List.of();
        }
        List<Scalar> result = new ArrayList<>();
        List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++) {
            String itemPath = pathOf(key) + "[" + i + "]";
            if (items.get(i) instanceof ScalarNode scalar && !scalar.getValue().isBlank()) {
                result.add(new Scalar(scalar.getValue().trim(), lineOf(scalar), itemPath));
            } else {
                problems.add(lineOf(items.get(i)), itemPath, "must be a single, non-empty value");
            }
        }
        return result;
    }

    List<String> texts(String key) {
        return scalars(key).stream().map(Scalar::value).toList();
    }

    Optional<YamlMapping> mapping(String key) {
        NodeTuple tuple = entries.get(key);
        if (tuple == null) {
            return Optional.empty();
        }
        Node value = tuple.getValueNode();
        if (value instanceof MappingNode mapping) {
            return Optional.of(new YamlMapping(mapping, pathOf(key), problems));
        }
        problem(key, "must be a block of keys (key: value), not a " + describe(value));
        return Optional.empty();
    }

    /** A list of blocks, e.g. the charge master entries. */
    List<YamlMapping> mappings(String key) {
        NodeTuple tuple = entries.get(key);
        if (tuple == null) {
            return List.of();
        }
        Node value = tuple.getValueNode();
        if (!(value instanceof SequenceNode sequence)) {
            problem(key, "must be a list of blocks (each item starting with \"- \")");
            return List.of();
        }
        List<YamlMapping> result = new ArrayList<>();
        List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++) {
            String itemPath = pathOf(key) + "[" + i + "]";
            if (items.get(i) instanceof MappingNode mapping) {
                result.add(new YamlMapping(mapping, itemPath, problems));
            } else {
                problems.add(lineOf(items.get(i)), itemPath, "must be a block of keys (key: value)");
            }
        }
        return result;
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "block of keys";
        }
        return node instanceof SequenceNode ? "list" : "single value";
    }
}
