package org.iepcharge.ledger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import org.iepcharge.domain.ChargeDocument;
import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.FinancialTransaction;
import org.iepcharge.domain.Insurance;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.Location;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.Patient;
import org.iepcharge.domain.PersonName;
import org.iepcharge.domain.Provider;
import org.iepcharge.domain.TransactionType;
import org.iepcharge.domain.Visit;

/**
 * The JSON of the records the ledger stores on every message (order context, charge line, the DFT document), written
 * and read through Jackson's streaming {@link JsonGenerator} / {@link JsonParser} by one table per record, instead of
 * Jackson's bean (de)serializers. Those call each record accessor and the canonical constructor by reflection: 55 % of
 * the ledger writer's JSON time in its profile (BENCHMARKS.md "Writer, fifth pass"; Blackbird, which would generate
 * the calls, exists for Jackson 3 only here).
 *
 * <p>The output is byte for byte what Jackson's default record serializer writes — the same property names and order
 * (record components, then the {@code isEmpty()} getters Jackson also finds, as {@code "empty"}), {@code null} for a
 * null value — so stored rows stay readable by any {@code ObjectMapper}, and rows written before read back here.
 * {@code RecordJsonTest} proves both on generated values of every component. Reading ignores properties it does not
 * know (such as {@code "empty"}) and gives an absent one Jackson's default (null, 0), as the plain mapper with
 * {@code FAIL_ON_UNKNOWN_PROPERTIES} off did.
 *
 * <p>A record added to these types, or a component added to one of them, must be added here: the test fails until it
 * is.
 */
final class RecordJson {
    private RecordJson() {
    }

    /** Writes one property's value of {@code r}. */
    @FunctionalInterface
    interface Write<R> {
        void write(JsonGenerator g, R r) throws IOException;
    }

    /** Reads one property's value, the parser on its first token. */
    @FunctionalInterface
    interface Read {
        Object read(JsonParser p) throws IOException;
    }

    /** The record from its read properties, in the order they were declared ({@code null} where absent). */
    @FunctionalInterface
    interface Make<R> {
        R make(Object[] values);
    }

    /** One record type's JSON: its properties in Jackson's order, and how to make it from those it reads. */
    static final class Shape<R> {
        private final Class<R> type;
        private final List<SerializedString> names = new ArrayList<>();
        private final List<Write<R>> writers = new ArrayList<>();
        private final Map<String, Integer> readIndex = new HashMap<>();
        private final List<Read> readers = new ArrayList<>();
        private Make<R> make;

        private Shape(Class<R> type) {
            this.type = type;
        }

        Class<R> type() {
            return type;
        }

        /** A component: written and read. */
        private Shape<R> prop(String name, Write<R> writer, Read reader) {
            names.add(new SerializedString(name));
            writers.add(writer);
            readIndex.put(name, readers.size());
            readers.add(reader);
            return this;
        }

        /** A derived getter Jackson writes too (e.g. {@code isEmpty()}); skipped on reading. */
        private Shape<R> derived(String name, Write<R> writer) {
            names.add(new SerializedString(name));
            writers.add(writer);
            return this;
        }

        Shape<R> string(String name, java.util.function.Function<R, String> get) {
            return prop(name, (g, r) -> g.writeString(get.apply(r)), JsonParser::getValueAsString);
        }

        Shape<R> integer(String name, java.util.function.ToIntFunction<R> get) {
            return prop(name, (g, r) -> g.writeNumber(get.applyAsInt(r)), RecordJson::readInt);
        }

        Shape<R> nullableInteger(String name, java.util.function.Function<R, Integer> get) {
            return prop(name, (g, r) -> {
                Integer v = get.apply(r);
                if (v == null) {
                    g.writeNull();
                } else {
                    g.writeNumber(v.intValue());
                }
            }, RecordJson::readInt);
        }

        <E extends Enum<E>> Shape<R> enumValue(String name, java.util.function.Function<R, E> get, Class<E> type) {
            return prop(name, (g, r) -> {
                E v = get.apply(r);
                g.writeString(v == null ? null : v.name());
            }, p -> {
                String s = p.getValueAsString();
                return s == null ? null : Enum.valueOf(type, s);
            });
        }

        <V> Shape<R> object(String name, java.util.function.Function<R, V> get, Shape<V> shape) {
            return prop(name, (g, r) -> shape.write(g, get.apply(r)), shape::read);
        }

        <V> Shape<R> list(String name, java.util.function.Function<R, List<V>> get, Shape<V> shape) {
            return prop(name, (g, r) -> writeList(g, get.apply(r), shape::write),
                    p -> readList(p, shape::read));
        }

        Shape<R> strings(String name, java.util.function.Function<R, List<String>> get) {
            return prop(name, (g, r) -> writeList(g, get.apply(r), JsonGenerator::writeString),
                    p -> readList(p, JsonParser::getValueAsString));
        }

        Shape<R> flag(String name, java.util.function.Predicate<R> get) {
            return derived(name, (g, r) -> g.writeBoolean(get.test(r)));
        }

        Shape<R> make(Make<R> maker) {
            this.make = maker;
            return this;
        }

        void write(JsonGenerator g, R r) throws IOException {
            if (r == null) {
                g.writeNull();
                return;
            }
            g.writeStartObject(r);
            for (int i = 0; i < writers.size(); i++) {
                g.writeFieldName(names.get(i));
                writers.get(i).write(g, r);
            }
            g.writeEndObject();
        }

        R read(JsonParser p) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            if (t != JsonToken.START_OBJECT) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "expected an object for "
                        + type.getSimpleName() + ", found " + t);
            }
            Object[] values = new Object[readers.size()];
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                Integer i = readIndex.get(p.currentName());
                p.nextToken();
                if (i == null) {
                    p.skipChildren();
                } else {
                    values[i] = readers.get(i).read(p);
                }
            }
            return make.make(values);
        }
    }

    private static <R> Shape<R> shape(Class<R> type) {
        return new Shape<>(type);
    }

    private static Object readInt(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : p.getValueAsInt();
    }

    private static <V> void writeList(JsonGenerator g, List<V> list, Write<V> element) throws IOException {
        if (list == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray(list, list.size());
        for (V v : list) {
            if (v == null) {
                g.writeNull();
            } else {
                element.write(g, v);
            }
        }
        g.writeEndArray();
    }

    private static <V> List<V> readList(JsonParser p, Read element) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        List<V> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            @SuppressWarnings("unchecked")
            V v = p.currentToken() == JsonToken.VALUE_NULL ? null : (V) element.read(p);
            out.add(v);
        }
        return out;
    }

    private static String s(Object v) {
        return (String) v;
    }

    private static int i(Object v) {
        return v == null ? 0 : (Integer) v;
    }

    @SuppressWarnings("unchecked")
    private static <T> T as(Object v) {
        return (T) v;
    }

    static final Shape<EntityId> ENTITY_ID = shape(EntityId.class)
            .string("id", EntityId::id).string("namespace", EntityId::namespace).flag("empty", EntityId::isEmpty)
            .make(v -> new EntityId(s(v[0]), s(v[1])));
    static final Shape<OrderKey> ORDER_KEY = shape(OrderKey.class)
            .object("placer", OrderKey::placer, ENTITY_ID).object("filler", OrderKey::filler, ENTITY_ID)
            .flag("empty", OrderKey::isEmpty)
            .make(v -> new OrderKey(as(v[0]), as(v[1])));
    static final Shape<PersonName> PERSON_NAME = shape(PersonName.class)
            .string("family", PersonName::family).string("given", PersonName::given)
            .string("middle", PersonName::middle)
            .make(v -> new PersonName(s(v[0]), s(v[1]), s(v[2])));
    static final Shape<Patient> PATIENT = shape(Patient.class)
            .string("id", Patient::id).string("authority", Patient::authority).string("idType", Patient::idType)
            .object("name", Patient::name, PERSON_NAME).string("birthDate", Patient::birthDate)
            .string("sex", Patient::sex)
            .make(v -> new Patient(s(v[0]), s(v[1]), s(v[2]), as(v[3]), s(v[4]), s(v[5])));
    static final Shape<Location> LOCATION = shape(Location.class)
            .string("pointOfCare", Location::pointOfCare).string("room", Location::room)
            .string("bed", Location::bed).string("facility", Location::facility)
            .make(v -> new Location(s(v[0]), s(v[1]), s(v[2]), s(v[3])));
    static final Shape<Visit> VISIT = shape(Visit.class)
            .string("patientClass", Visit::patientClass).object("location", Visit::location, LOCATION)
            .string("visitNumber", Visit::visitNumber)
            .make(v -> new Visit(s(v[0]), as(v[1]), s(v[2])));
    static final Shape<Insurance> INSURANCE = shape(Insurance.class)
            .integer("setId", Insurance::setId).nullableInteger("priority", Insurance::priority)
            .string("companyId", Insurance::companyId).string("planId", Insurance::planId)
            .string("companyName", Insurance::companyName).string("groupNumber", Insurance::groupNumber)
            .string("policyNumber", Insurance::policyNumber)
            .make(v -> new Insurance(i(v[0]), as(v[1]), s(v[2]), s(v[3]), s(v[4]), s(v[5]), s(v[6])));
    static final Shape<Diagnosis> DIAGNOSIS = shape(Diagnosis.class)
            .string("code", Diagnosis::code).string("text", Diagnosis::text).string("system", Diagnosis::system)
            .string("type", Diagnosis::type)
            .make(v -> new Diagnosis(s(v[0]), s(v[1]), s(v[2]), s(v[3])));
    static final Shape<Provider> PROVIDER = shape(Provider.class)
            .string("id", Provider::id).object("name", Provider::name, PERSON_NAME)
            .string("authority", Provider::authority).flag("empty", Provider::isEmpty)
            .make(v -> new Provider(s(v[0]), as(v[1]), s(v[2])));
    static final Shape<OrderContext> ORDER_CONTEXT = shape(OrderContext.class)
            .object("key", OrderContext::key, ORDER_KEY).object("patient", OrderContext::patient, PATIENT)
            .object("visit", OrderContext::visit, VISIT).list("insurance", OrderContext::insurance, INSURANCE)
            .list("diagnoses", OrderContext::diagnoses, DIAGNOSIS).string("abnStatus", OrderContext::abnStatus)
            .object("orderingProvider", OrderContext::orderingProvider, PROVIDER)
            .string("sourceControlId", OrderContext::sourceControlId)
            .make(v -> new OrderContext(as(v[0]), as(v[1]), as(v[2]), as(v[3]), as(v[4]), s(v[5]), as(v[6]),
                    s(v[7])));
    static final Shape<ChargeLine> CHARGE_LINE = shape(ChargeLine.class)
            .string("transactionId", ChargeLine::transactionId).enumValue("kind", ChargeLine::kind, LineKind.class)
            .string("cpt", ChargeLine::cpt).string("description", ChargeLine::description)
            .string("chargeCode", ChargeLine::chargeCode).integer("units", ChargeLine::units)
            .strings("modifiers", ChargeLine::modifiers).string("dateOfService", ChargeLine::dateOfService)
            .object("performedBy", ChargeLine::performedBy, PROVIDER)
            .make(v -> new ChargeLine(s(v[0]), as(v[1]), s(v[2]), s(v[3]), s(v[4]), i(v[5]), as(v[6]), s(v[7]),
                    as(v[8])));
    static final Shape<FinancialTransaction> FINANCIAL_TRANSACTION = shape(FinancialTransaction.class)
            .enumValue("type", FinancialTransaction::type, TransactionType.class)
            .object("line", FinancialTransaction::line, CHARGE_LINE)
            .make(v -> new FinancialTransaction(as(v[0]), as(v[1])));
    static final Shape<ChargeDocument> CHARGE_DOCUMENT = shape(ChargeDocument.class)
            .string("controlId", ChargeDocument::controlId).string("processingId", ChargeDocument::processingId)
            .string("postedAt", ChargeDocument::postedAt).object("context", ChargeDocument::context, ORDER_CONTEXT)
            .object("fillerOrder", ChargeDocument::fillerOrder, ENTITY_ID)
            .list("transactions", ChargeDocument::transactions, FINANCIAL_TRANSACTION)
            .make(v -> new ChargeDocument(s(v[0]), s(v[1]), s(v[2]), as(v[3]), as(v[4]), as(v[5])));

    private static final List<Shape<?>> SHAPES = List.of(ENTITY_ID, ORDER_KEY, PERSON_NAME, PATIENT, LOCATION, VISIT,
            INSURANCE, DIAGNOSIS, PROVIDER, ORDER_CONTEXT, CHARGE_LINE, FINANCIAL_TRANSACTION, CHARGE_DOCUMENT);

    /**
     * The shapes as a Jackson module: an {@code ObjectMapper} that registers it writes and reads these records (also
     * where they are nested in other values, e.g. a hold's trigger or the stored DFT) through them.
     */
    static SimpleModule module() {
        SimpleModule module = new SimpleModule("iep-ledger-records");
        for (Shape<?> shape : SHAPES) {
            register(module, shape);
        }
        return module;
    }

    private static <R> void register(SimpleModule module, Shape<R> shape) {
        module.addSerializer(shape.type(), new StdSerializer<R>(shape.type()) {
            @Override
            public void serialize(R value, JsonGenerator g, SerializerProvider provider) throws IOException {
                shape.write(g, value);
            }
        });
        module.addDeserializer(shape.type(), new StdDeserializer<R>(shape.type()) {
            @Override
            public R deserialize(JsonParser p, DeserializationContext context) throws IOException {
                return shape.read(p);
            }
        });
    }
}
