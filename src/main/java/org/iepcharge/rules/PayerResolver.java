package org.iepcharge.rules;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.iepcharge.domain.Insurance;
import org.iepcharge.domain.OrderContext;

/**
 * Finds the payer profile of an order (docs/decision-contract.md §1): the primary IN1 is the lowest IN1-22, else the
 * first in segment order; it is matched on IN1-3.1, else IN1-2.1, against the payer map; IN1-4 only through name rows.
 * An identifier the map does not know is OTHER. Without any IN1 the payer is unknown: the engine never guesses one.
 */
final class PayerResolver {
    static final String OTHER = "OTHER";

    /** @param profile null when unknown; {@code why} says what was seen and where */
    record Resolution(String profile, String saw, String why) {
        boolean isKnown() {
            return profile != null;
        }
    }

    private final RuleSet rules;

    PayerResolver(RuleSet rules) {
        this.rules = rules;
    }

    Resolution resolve(OrderContext context, Sources sources) {
        if (context == null) {
            return new Resolution(null, "no order context", "the result came before its order, and an ORU never "
                    + "carries IN1 (§1)");
        }
        if (context.insurance().isEmpty()) {
            return new Resolution(null, "no IN1 in " + sources.order(), "the order carried no insurance");
        }
        Insurance primary = primary(context.insurance());
        String which = primary.priority() == null
                ? "first IN1 (set ID " + primary.setId() + ", no IN1-22)"
                : "IN1 set ID " + primary.setId() + " with the lowest IN1-22 (" + primary.priority() + ")";
        String field = !primary.companyId().isEmpty() ? "IN1-3" : !primary.planId().isEmpty() ? "IN1-2" : "";
        String id = field.equals("IN1-3") ? primary.companyId() : primary.planId();
        String saw = field.isEmpty()
                ? which + " of " + sources.order() + ": no IN1-3 or IN1-2"
                : field + " " + Sources.quoted(id) + " of " + sources.order() + ", " + which;
        if (!field.isEmpty()) {
            Optional<PayerMapEntry> row = find(PayerMapEntry.MatchOn.ID, id);
            if (row.isPresent()) {
                return new Resolution(row.get().profile(), saw, "payer map line " + row.get().line());
            }
        }
        Optional<PayerMapEntry> byName = find(PayerMapEntry.MatchOn.NAME, primary.companyName());
        if (byName.isPresent()) {
            return new Resolution(byName.get().profile(), saw + "; IN1-4 " + Sources.quoted(primary.companyName()),
                    "name row on payer map line " + byName.get().line());
        }
        if (!field.isEmpty()) {
            return new Resolution(OTHER, saw, "not in the payer map: any identifier the map does not know is OTHER");
        }
        return new Resolution(null, saw, "nothing identifies the payer (IN1-4 matches no name row)");
    }

    private Optional<PayerMapEntry> find(PayerMapEntry.MatchOn on, String value) {
        return rules.payerMap().stream().filter(row -> row.matches(on, value)).findFirst();
    }

    /** Lowest coordination-of-benefits priority; without any IN1-22, the first IN1 in segment order. */
    static Insurance primary(List<Insurance> insurance) {
        return insurance.stream()
                .filter(in -> in.priority() != null)
                .min(Comparator.comparingInt(Insurance::priority))
                .orElse(insurance.get(0));
    }
}
