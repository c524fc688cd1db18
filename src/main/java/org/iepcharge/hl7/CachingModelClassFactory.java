package org.iepcharge.hl7;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;

/**
 * HAPI's {@link CanonicalModelClassFactory} (v2.5.1 structures for every version), remembering its answers. HAPI
 * 2.6.0 finds a class by building its name and calling {@code Class.forName} on every call (a thrown and caught
 * {@code ClassNotFoundException} for a name it does not know): once per parse for the message class, and once per OBX
 * for the data type of OBX-5 ({@code FixFieldDataType.fixOBX5}) — ≈ 2 % of the LIS route thread's CPU
 * (BENCHMARKS.md, "LIS route thread, second pass"). An answer depends only on the arguments (the class path and HAPI's
 * package list are fixed once loaded), so it is kept per argument list, "not found" (null) included; an exception is
 * not kept. The names come from senders (MSH-9, OBX-2, Z-segments), so the cache stops growing at {@link #LIMIT}
 * entries; past that, a name not yet seen is looked up by HAPI each time, as before.
 */
final class CachingModelClassFactory extends CanonicalModelClassFactory {
    private static final long serialVersionUID = 1L;
    static final int LIMIT = 1024;

    private record Key(char kind, String name, String version, boolean explicit) {
    }

    private final transient Map<Key, Optional<Class<?>>> classes = new ConcurrentHashMap<>();

    CachingModelClassFactory(String version) {
        super(version);
    }

    @FunctionalInterface
    private interface Lookup {
        Class<?> find() throws HL7Exception;
    }

    @SuppressWarnings("unchecked")
    private <T> Class<? extends T> cached(Key key, Lookup lookup) throws HL7Exception {
        Optional<Class<?>> known = classes.get(key);
        if (known == null) {
            known = Optional.ofNullable(lookup.find());
            if (classes.size() < LIMIT) {
                classes.putIfAbsent(key, known);
            }
        }
        return (Class<? extends T>) known.orElse(null);
    }

    /** Entries kept (for the tests). */
    int size() {
        return classes.size();
    }

    @Override
    public Class<? extends Message> getMessageClass(String name, String version, boolean isExplicit)
            throws HL7Exception {
        return cached(new Key('M', name, version, isExplicit), () -> super.getMessageClass(name, version, isExplicit));
    }

    @Override
    public Class<? extends Group> getGroupClass(String name, String version) throws HL7Exception {
        return cached(new Key('G', name, version, false), () -> super.getGroupClass(name, version));
    }

    @Override
    public Class<? extends Segment> getSegmentClass(String name, String version) throws HL7Exception {
        return cached(new Key('S', name, version, false), () -> super.getSegmentClass(name, version));
    }

    @Override
    public Class<? extends Type> getTypeClass(String name, String version) throws HL7Exception {
        return cached(new Key('T', name, version, false), () -> super.getTypeClass(name, version));
    }
}
