package org.iepcharge.domain;

/**
 * The order keys: placer (ORC-2, else OBR-2) and filler (ORC-3, else OBR-3). An ORM NW often has no filler number
 * yet, so matching is on placer first, then filler (docs/decision-contract.md §1).
 */
public record OrderKey(EntityId placer, EntityId filler) {
    public OrderKey {
        placer = placer == null ? EntityId.NONE : placer;
        filler = filler == null ? EntityId.NONE : filler;
    }

    public boolean isEmpty() {
        return placer.isEmpty() && filler.isEmpty();
    }

    /** The key this order is filed under: the placer number when present, else the filler number. */
    public String primaryKey() {
        return placer.isEmpty() ? "F:" + filler.key() : "P:" + placer.key();
    }
}
