package org.iepcharge.rules;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Start-up refusal of rule sets that could write an invalid line (docs/decision-contract.md §5): TC on a CPT whose
 * PC/TC indicator forbids it [1.2], two of GA / GY / GZ on one line [2.1], or more than four modifiers. Checked for
 * every charge-master entry under every payer profile, with the site's lab type, before any message is seen.
 */
final class ReachableOutcomeCheck {
    private final SiteProfile site;
    private final List<RulesFileParser.LocatedEntry> entries;
    private final Map<String, RulesFileParser.LocatedProfile> profiles;
    private final Map<String, List<Modifier>> extras;
    private final YamlMapping root;
    private final Problems problems;

    ReachableOutcomeCheck(SiteProfile site, List<RulesFileParser.LocatedEntry> entries,
                          Map<String, RulesFileParser.LocatedProfile> profiles, Map<String, List<Modifier>> extras,
                          YamlMapping root, Problems problems) {
        this.site = site;
        this.entries = entries;
        this.profiles = profiles;
        this.extras = extras;
        this.root = root;
        this.problems = problems;
    }

    void run() {
        for (RulesFileParser.LocatedProfile located : profiles.values()) {
            for (RulesFileParser.LocatedEntry entry : entries) {
                check(located, entry);
            }
        }
    }

    private void check(RulesFileParser.LocatedProfile located, RulesFileParser.LocatedEntry locatedEntry) {
        PayerProfile profile = located.profile();
        ChargeMasterEntry entry = locatedEntry.entry();
        boolean tc = profile.wantsTechnicalModifierFor(entry.cpt());
        if (tc && !entry.allowsTechnicalModifier()) {
            problems.add(located.yaml().lineOf("technicalModifier"), located.yaml().pathOf("technicalModifier"),
                    "TC would be written on CPT " + entry.cpt() + " (" + locatedEntry.yaml().path() + ", line "
                            + locatedEntry.yaml().line() + "), whose PC/TC indicator " + entry.pcTcIndicator()
                            + " forbids TC; only indicator 1 has a technical component [1.2, 2.1]."
                            + " Limit it with technicalModifierCpts");
        }
        List<Modifier> added = extras.getOrDefault(entry.cpt(), List.of());
        if (added.isEmpty()) {
            return; // without extras a line holds at most TC/26, 90, 91 and one of GA/GZ/GY: four
        }
        String where = "extraModifiers." + entry.cpt();
        int line = root.mapping("extraModifiers").map(m -> m.lineOf(entry.cpt())).orElse(root.line());
        List<Modifier> producedLiability = liabilityModifiers(profile);
        long addedLiability = added.stream().filter(m -> m.slot() == Modifier.Slot.LIABILITY).count();
        if (addedLiability > 1 || (addedLiability == 1 && !producedLiability.isEmpty())) {
            problems.add(line, where, "with payer profile " + profile.name() + " a line could carry two of GA/GY/GZ ("
                    + codes(added) + " here, " + codes(producedLiability) + " from the profile); the claim "
                    + "would deny [2.1]");
        }
        int max = (tc && entry.allowsTechnicalModifier() ? 1 : 0)
                + (site.labType() != LabType.HOSPITAL && profile.referralModifier90For().contains(site.labType())
                ? 1 : 0)
                + (site.sameDayRepeat() == SameDayRepeat.MODIFIER_91 ? 1 : 0)
                + added.size()
                + (producedLiability.isEmpty() || addedLiability > 0 ? 0 : 1);
        if (max > Modifier.MAX_PER_LINE) {
            problems.add(line, where, "with payer profile " + profile.name() + " and lab type " + site.labType()
                    + " a technical line could carry " + max + " modifiers; at most " + Modifier.MAX_PER_LINE
                    + " are allowed (docs/decision-contract.md §5)");
        }
    }

    static List<Modifier> liabilityModifiers(PayerProfile profile) {
        if (!profile.medicalNecessityRules()) {
            return List.of();
        }
        List<Modifier> result = new java.util.ArrayList<>();
        if (!profile.abnSignedValues().isEmpty()) {
            result.add(Modifier.ABN_ON_FILE);
        }
        if (profile.unsupportedWithoutAbn() == UnsupportedWithoutAbn.GZ) {
            result.add(Modifier.NO_ABN_EXPECTED_DENIAL);
        }
        if (!profile.excludedDiagnoses().isEmpty()) {
            result.add(Modifier.STATUTORY_EXCLUSION);
        }
        return result;
    }

    private static String codes(List<Modifier> modifiers) {
        return modifiers.isEmpty() ? "none" : modifiers.stream().map(Modifier::code).collect(Collectors.joining("/"));
    }
}
