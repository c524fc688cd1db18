package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.iepcharge.billing.DftSettings;
import org.iepcharge.billing.StoredDft;
import org.iepcharge.capture.DecisionTrigger;
import org.iepcharge.domain.ChargeDocument;
import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.OrderContext;
import org.junit.jupiter.api.Test;

/**
 * {@link RecordJson} writes what Jackson's reflective record serializer wrote before it (the stored rows' format) and
 * reads it back: values generated over every record component — found by reflection, so a component added later is
 * generated too — with nulls, empty and longer lists, extreme numbers and strings that need escaping (quotes,
 * backslashes, control characters, line separators, non-ASCII, surrogate pairs), each written by both mappers and
 * compared byte for byte, then read back by both and compared with the value.
 */
class RecordJsonTest {
    /** The ledger's mapper as it was: Jackson's bean (de)serializers for records, unknown properties ignored. */
    private static final ObjectMapper REFLECTIVE = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private static final List<Class<?>> STORED = List.of(OrderContext.class, ChargeLine.class, ChargeDocument.class,
            StoredDft.class, DecisionTrigger.class);

    @Test
    void writesTheBytesJacksonsRecordSerializerWroteAndReadsThemBack() throws Exception {
        Random random = new Random(20261206L);
        Values values = new Values(random);
        for (Class<?> type : STORED) {
            for (int n = 0; n < 400; n++) {
                Object value = values.of(type);
                String expected = REFLECTIVE.writeValueAsString(value);
                String written = LedgerJson.write(value);
                assertThat(written.getBytes(StandardCharsets.UTF_8))
                        .as("%s #%d", type.getSimpleName(), n)
                        .isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
                assertThat(LedgerJson.read(written, type)).as("%s #%d read back", type.getSimpleName(), n)
                        .isEqualTo(value)
                        .isEqualTo(REFLECTIVE.readValue(written, type));
            }
        }
    }

    /**
     * Rows written by another version: a property missing (Jackson's default for it: null, 0) or one this version does
     * not know is read as the reflective mapper read it.
     */
    @Test
    void readsMissingAndUnknownPropertiesAsTheReflectiveMapperDid() throws Exception {
        Random random = new Random(7L);
        Values values = new Values(random);
        for (Class<?> type : STORED) {
            for (int n = 0; n < 300; n++) {
                JsonNode tree = REFLECTIVE.valueToTree(values.of(type));
                mutate(tree, random);
                String json = REFLECTIVE.writeValueAsString(tree);
                Object expected;
                try {
                    expected = REFLECTIVE.readValue(json, type);
                } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
                    // A record that refuses the value (ChargeDocument without transactions): refused here too.
                    assertThatThrownBy(() -> LedgerJson.read(json, type)).as("%s #%d: %s", type.getSimpleName(), n,
                            json).isInstanceOf(RuntimeException.class);
                    continue;
                }
                assertThat(LedgerJson.read(json, type)).as("%s #%d: %s", type.getSimpleName(), n, json)
                        .isEqualTo(expected);
            }
        }
    }

    /** Drops a property or adds an unknown one, in every object of the tree with some chance. */
    private static void mutate(JsonNode node, Random random) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            if (!names.isEmpty() && random.nextInt(3) == 0) {
                object.remove(names.get(random.nextInt(names.size())));
            }
            if (random.nextInt(3) == 0) {
                object.putObject("unknown" + random.nextInt(5)).putArray("a").add(1).addObject().put("b", "c");
            }
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            mutate(it.next(), random);
        }
    }

    /** Random values of any record built from strings, numbers, booleans, enums, lists and records. */
    private static final class Values {
        private static final String[] PIECES = {"", "a", "IEP", "86320", "\"", "\\", "/", "\n", "\r\t", "\u0000",
            "\u001f", "\u007f", "é", "Ünïcødé", "\u2028\u2029", "😀", "\ud83d", "<&>", "^~\\&", "null", " "};
        /** Components whose record refuses most values: only what it accepts. */
        private static final Map<String, Function<Random, Object>> NARROW = Map.of(
                "DftSettings.version", r -> pick(r, null, "", "2.5", "2.5.1", " 2.5 "),
                "DftSettings.icdCodingSystem", r -> pick(r, null, "", "I10", "I10C"));

        private final Random random;

        Values(Random random) {
            this.random = random;
        }

        private static Object pick(Random r, Object... options) {
            return options[r.nextInt(options.length)];
        }

        Object of(Type type) throws ReflectiveOperationException {
            if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
                if (random.nextInt(6) == 0) {
                    return null;
                }
                List<Object> list = new ArrayList<>();
                int size = random.nextInt(4);
                for (int i = 0; i < size; i++) {
                    list.add(nonNull(p.getActualTypeArguments()[0]));
                }
                return list;
            }
            Class<?> c = (Class<?>) type;
            if (c == int.class) {
                return (Integer) pick(random, 0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, random.nextInt());
            }
            if (c == boolean.class) {
                return random.nextBoolean();
            }
            if (random.nextInt(8) == 0) {
                return null;
            }
            return nonNull(type);
        }

        private Object nonNull(Type type) throws ReflectiveOperationException {
            Class<?> c = (Class<?>) type;
            if (c == String.class) {
                StringBuilder s = new StringBuilder();
                int pieces = random.nextInt(5);
                for (int i = 0; i < pieces; i++) {
                    s.append(PIECES[random.nextInt(PIECES.length)]);
                }
                return s.toString();
            }
            if (c == Integer.class) {
                return (Integer) pick(random, 0, 1, -7, Integer.MAX_VALUE, Integer.MIN_VALUE, random.nextInt());
            }
            if (c.isEnum()) {
                Object[] constants = c.getEnumConstants();
                return constants[random.nextInt(constants.length)];
            }
            if (c.isRecord()) {
                RecordComponent[] components = c.getRecordComponents();
                Object[] args = new Object[components.length];
                Class<?>[] types = new Class<?>[components.length];
                for (int i = 0; i < components.length; i++) {
                    types[i] = components[i].getType();
                    Function<Random, Object> narrow = NARROW.get(c.getSimpleName() + "." + components[i].getName());
                    args[i] = narrow != null ? narrow.apply(random) : of(components[i].getGenericType());
                }
                Constructor<?> canonical = c.getDeclaredConstructor(types);
                try {
                    return canonical.newInstance(args);
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof NullPointerException) {
                        // A component the record requires (ChargeDocument.transactions) drew null: draw again.
                        return nonNull(type);
                    }
                    throw new AssertionError("cannot make a " + c.getSimpleName(), e.getCause());
                }
            }
            throw new AssertionError("no generator for " + type);
        }
    }
}
