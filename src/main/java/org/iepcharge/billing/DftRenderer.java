package org.iepcharge.billing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import org.iepcharge.ledger.OutboxDocuments;

/**
 * Builds the bytes of a DFT the outbox holds as a {@link StoredDft} (registered in
 * {@code META-INF/services/org.iepcharge.ledger.OutboxDocuments}). The ledger writes the document as JSON with the
 * same settings it reads its other JSON columns with (unknown properties ignored).
 */
public final class DftRenderer implements OutboxDocuments {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    /**
     * Bound to the type once: {@code readValue(String, Class)} resolves the type and looks its deserializer up on
     * every call (a tenth of the JSON read on the outbox thread, BENCHMARKS.md "Outbox thread, third pass").
     * Immutable and thread-safe, as the mapper.
     */
    private static final ObjectReader READER = MAPPER.readerFor(StoredDft.class);
    /** One builder per settings: a deployment has one, so this holds one entry. */
    private static final Map<DftSettings, DftBuilder> BUILDERS = new ConcurrentHashMap<>();

    static DftBuilder builderFor(DftSettings settings) {
        return BUILDERS.computeIfAbsent(settings, DftBuilder::new);
    }

    @Override
    public byte[] render(String document) {
        return read(document).render();
    }

    /** The stored document as written. */
    public static StoredDft read(String document) {
        try {
            return READER.readValue(document);
        } catch (JsonProcessingException e) {
            // No patient data in messages: Jackson's message can quote the document.
            throw new IllegalStateException("cannot read a stored DFT document", null);
        }
    }
}
