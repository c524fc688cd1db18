package org.iepcharge.ledger;

import java.util.ServiceLoader;

/**
 * Builds the bytes of a DFT queued as its document ({@code outbox.document}, migration V7). The ledger stores and
 * returns documents without knowing HL7; the one renderer is found with {@link ServiceLoader} (the billing package
 * registers it in {@code META-INF/services}), so every reader of the outbox — the sender, the CLI, a test — sees the
 * same bytes whatever ledger instance read the row.
 */
public interface OutboxDocuments {

    /** The DFT bytes of a stored document: the same bytes for the same document, every time. */
    byte[] render(String document);

    /** The registered renderer; fails when none is on the class path (a document row cannot be sent without it). */
    static byte[] renderStored(String document) {
        OutboxDocuments renderer = Registered.RENDERER;
        if (renderer == null) {
            throw new IllegalStateException("no " + OutboxDocuments.class.getSimpleName()
                    + " is registered: a DFT queued as a document cannot be built");
        }
        return renderer.render(document);
    }

    /** Looked up once, on first use. */
    final class Registered {
        private static final OutboxDocuments RENDERER = ServiceLoader.load(OutboxDocuments.class,
                OutboxDocuments.class.getClassLoader()).findFirst().orElse(null);

        private Registered() {
        }
    }
}
