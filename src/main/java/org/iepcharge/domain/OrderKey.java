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

    /**
     * This order's numbers completed by another presentation of the same order: a number this key lacks is taken
     * from {@code other}, a number it has is never replaced. An ORM NW often has no filler number yet and a result
     * from the LIS may carry the filler number only; the order's identity is both (docs/decision-contract.md §1).
     */
    public OrderKey mergedWith(OrderKey other) {
        if (other == null) {
            return this;
        }
        return new OrderKey(placer.isEmpty() ? other.placer : placer, filler.isEmpty() ? other.filler : filler);
    }

    /**
     * Whether {@code other} names the same order: the same placer number (with namespace), else the same filler
     * number (docs/decision-contract.md §1: match on placer, then filler).
     */
    public boolean sameOrderAs(OrderKey other) {
        if (other == null) {
            return false;
        }
        if (!placer.isEmpty() && placer.equals(other.placer)) {
            return true;
        }
        return !filler.isEmpty() && filler.equals(other.filler);
    }

    /** The key this order is filed under: the placer number when present, else the filler number. */
    public String primaryKey() {
        return placer.isEmpty() ? "F:" + filler.key() : "P:" + placer.key();
    }
}
