package org.iepcharge.domain;

/**
 * An EI: identifier with its namespace (EI-2). Numbers from different systems can collide, so the namespace is part
 * of the identity (docs/decision-contract.md §1, order keys).
 */
public record EntityId(String id, String namespace) {
    public static final EntityId NONE = new EntityId("", "");

    public EntityId {
        id = Text.orEmpty(id);
        namespace = Text.orEmpty(namespace);
    }

    public boolean isEmpty() {
        return id.isEmpty();
    }

    /** Stable text form used as a ledger key: {@code id^namespace}. */
    public String key() {
        return id + "^" + namespace;
    }

    /**
     * The entity identifier a {@link #key()} was made from; {@code ""} or {@code "^"} is {@link #NONE}. The namespace
     * is what follows the last caret (EI-2 is an IS value, it never holds one).
     */
    public static EntityId fromKey(String key) {
        if (key == null || key.isEmpty()) {
            return NONE;
        }
        int caret = key.lastIndexOf('^');
        return caret < 0 ? new EntityId(key, "") : new EntityId(key.substring(0, caret), key.substring(caret + 1));
    }
}
