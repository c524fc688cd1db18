package org.iepcharge.domain;

/** An XCN: a provider's identifier, name and assigning authority. */
public record Provider(String id, PersonName name, String authority) {
    public static final Provider NONE = new Provider("", PersonName.EMPTY, "");

    public Provider {
        id = Text.orEmpty(id);
        name = name == null ? PersonName.EMPTY : name;
        authority = Text.orEmpty(authority);
    }

    public boolean isEmpty() {
        return id.isEmpty() && name.family().isEmpty();
    }
}
