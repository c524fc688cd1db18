package org.iepcharge.rules;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.iepcharge.domain.CodedValue;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads a rules file into a {@link RuleSet}. Every problem names file, line and key, and all problems of the file are
 * reported together (see docs/rules-reference.md for the format).
 */
final class RulesFileParser {
    static final List<String> DEFAULT_IEP_PATTERNS =
            List.of("immunoelectrophoresis", "\\bIEP\\b", "immunofixation", "\\bIFE\\b");
    static final List<String> DEFAULT_DIAGNOSIS_SYSTEMS = List.of("I10", "I10C", "ICD10CM");
    static final List<String> DEFAULT_ABN_SIGNED = List.of("2", "3");
    private static final Pattern PROFILE_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final Pattern TABLE_0339_VALUE = Pattern.compile("[A-Za-z0-9]{1,3}");
    private static final Pattern RANGE_DASH = Pattern.compile("\\s*[-\u2013]\\s*");

    /** What the cross-checks need to point back at the file. */
    record LocatedEntry(ChargeMasterEntry entry, YamlMapping yaml) {
    }

    record LocatedProfile(PayerProfile profile, YamlMapping yaml) {
    }

    private final String fileName;
    private final Problems problems;

    private RulesFileParser(String fileName) {
        this.fileName = fileName;
        this.problems = new Problems(fileName);
    }

    static RuleSet parse(String fileName, String source, String version, byte[] bytes) {
        return new RulesFileParser(fileName).parse(source, version, bytes);
    }

    private RuleSet parse(String source, String version, byte[] bytes) {
        YamlMapping root = compose(new String(bytes, StandardCharsets.UTF_8));
        problems.throwIfAny();
        root.allowOnly("formatVersion", "site", "recognition", "chargeMaster", "mue", "extraModifiers", "payerMap",
                "payers");
        root.integer("formatVersion", 1, 1, 1);

        List<LocatedEntry> entries = chargeMaster(root);
        Map<String, LocatedProfile> profiles = payers(root, entries);
        SiteProfile site = site(root, profiles);
        Recognition recognition = recognition(root);
        Map<String, MueLimit> mue = mue(root);
        Map<String, List<Modifier>> extras = extraModifiers(root, entries);
        List<PayerMapEntry> payerMap = payerMap(root, profiles);
        new ReachableOutcomeCheck(site, entries, profiles, extras, root, problems).run();
        problems.throwIfAny();

        Map<String, PayerProfile> profileMap = new LinkedHashMap<>();
        profiles.forEach((name, located) -> profileMap.put(name, located.profile()));
        return new RuleSet(source, version, site, recognition,
                entries.stream().map(LocatedEntry::entry).toList(), mue, extras, payerMap, profileMap);
    }

    private YamlMapping compose(String text) {
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(fileName).setAllowDuplicateKeys(false).build();
            Optional<Node> node = new Compose(settings).composeString(text);
            if (node.isEmpty()) {
                problems.add(0, "", "the file is empty");
                return null;
            }
            if (!(node.get() instanceof MappingNode mapping)) {
                problems.add(YamlMapping.lineOf(node.get()), "", "the file must be a block of keys (site:, "
                        + "chargeMaster:, payers:, ...)");
                return null;
            }
            return new YamlMapping(mapping, "", problems);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            problems.add(line, "", "not valid YAML: " + e.getProblem());
            return null;
        } catch (YamlEngineException e) {
            problems.add(0, "", "not valid YAML: " + e.getMessage());
            return null;
        }
    }

    // --- site -------------------------------------------------------------------------------------------------

    private SiteProfile site(YamlMapping root, Map<String, LocatedProfile> profiles) {
        Optional<YamlMapping> block = root.mapping("site");
        if (block.isEmpty()) {
            return new SiteProfile(LabType.INDEPENDENT, List.of(), UnknownPerformingLab.OURS,
                    ReferredTestAtHospital.NO_MODIFIER, false, List.of(), ChargeTrigger.RESULT, SiteProfile.HOLD,
                    SameDayRepeat.HOLD);
        }
        YamlMapping site = block.get();
        site.allowOnly("lab", "unknownPerformingLab", "referredTestAtHospital", "professionalBilling",
                "pathologists", "chargeTrigger", "payerWhenUnknown", "sameDayRepeat");
        LabType labType = LabType.INDEPENDENT;
        List<String> labIds = List.of();
        Optional<YamlMapping> lab = site.mapping("lab");
        if (lab.isPresent()) {
            lab.get().allowOnly("type", "ids");
            labType = lab.get().choice("type", LabType.class, LabType.INDEPENDENT);
            labIds = lab.get().texts("ids");
        }
        boolean professionalBilling = site.bool("professionalBilling", false);
        List<String> pathologists = site.texts("pathologists");
        if (professionalBilling && pathologists.isEmpty()) {
            site.problem("pathologists", "professionalBilling is true but no pathologist is listed, so no 26 line "
                    + "could ever be posted [1.2]");
        }
        String payerWhenUnknown = site.text("payerWhenUnknown", SiteProfile.HOLD);
        if (!payerWhenUnknown.equals(SiteProfile.HOLD) && !profiles.containsKey(payerWhenUnknown)) {
            site.problem("payerWhenUnknown", "\"" + payerWhenUnknown + "\" is neither HOLD nor a profile under "
                    + "payers (" + String.join(", ", profiles.keySet()) + ")");
        }
        return new SiteProfile(labType, labIds,
                site.choice("unknownPerformingLab", UnknownPerformingLab.class, UnknownPerformingLab.OURS),
                site.choice("referredTestAtHospital", ReferredTestAtHospital.class,
                        ReferredTestAtHospital.NO_MODIFIER),
                professionalBilling, pathologists,
                site.choice("chargeTrigger", ChargeTrigger.class, ChargeTrigger.RESULT), payerWhenUnknown,
                site.choice("sameDayRepeat", SameDayRepeat.class, SameDayRepeat.HOLD));
    }

    // --- recognition --------------------------------------------------------------------------------------------

    private Recognition recognition(YamlMapping root) {
        Optional<YamlMapping> block = root.mapping("recognition");
        if (block.isEmpty()) {
            return new Recognition(DEFAULT_IEP_PATTERNS.stream().map(RulesFileParser::namePattern).toList(),
                    List.of(), DEFAULT_DIAGNOSIS_SYSTEMS);
        }
        YamlMapping recognition = block.get();
        recognition.allowOnly("iepNamePatterns", "interpretationCodes", "diagnosisCodingSystems");
        List<Pattern> patterns = new ArrayList<>();
        if (!recognition.has("iepNamePatterns")) {
            DEFAULT_IEP_PATTERNS.forEach(p -> patterns.add(namePattern(p)));
        }
        for (YamlMapping.Scalar pattern : recognition.scalars("iepNamePatterns")) {
            try {
                patterns.add(namePattern(pattern.value()));
            } catch (PatternSyntaxException e) {
                problems.add(pattern.line(), pattern.path(), "\"" + pattern.value()
                        + "\" is not a valid regular expression: " + e.getDescription());
            }
        }
        List<CodedValue> interpretationCodes = new ArrayList<>();
        for (YamlMapping code : recognition.mappings("interpretationCodes")) {
            code.allowOnly("code", "system");
            interpretationCodes.add(new CodedValue(code.requiredText("code"), "", code.requiredText("system")));
        }
        List<String> systems = recognition.has("diagnosisCodingSystems")
                ? recognition.texts("diagnosisCodingSystems") : DEFAULT_DIAGNOSIS_SYSTEMS;
        if (recognition.has("diagnosisCodingSystems") && systems.isEmpty()) {
            recognition.problem("diagnosisCodingSystems", "must name at least one coding system (e.g. I10)");
        }
        return new Recognition(patterns, interpretationCodes, systems);
    }

    private static Pattern namePattern(String regex) {
        return Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    // --- charge master ------------------------------------------------------------------------------------------

    private List<LocatedEntry> chargeMaster(YamlMapping root) {
        if (!root.has("chargeMaster")) {
            problems.add(root.line(), "chargeMaster", "is required: without it no test is ever charged");
            return List.of();
        }
        List<LocatedEntry> entries = new ArrayList<>();
        for (YamlMapping yaml : root.mappings("chargeMaster")) {
            yaml.allowOnly("code", "system", "cpt", "description", "pcTcIndicator", "chargeCode",
                    "professionalChargeCode", "units");
            String code = yaml.requiredText("code");
            String system = yaml.requiredText("system");
            String cpt = cpt(yaml, "cpt", true);
            String description = yaml.requiredText("description");
            if (!yaml.has("pcTcIndicator")) {
                yaml.problem("pcTcIndicator", "is required (CMS PFS PC/TC indicator; 6 for 86320 [1.2])");
            }
            int indicator = yaml.integer("pcTcIndicator", 6, 0, 9);
            String chargeCode = yaml.text("chargeCode", cpt);
            String professionalChargeCode = yaml.text("professionalChargeCode", chargeCode);
            int units = yaml.integer("units", 1, 1, 99);
            ChargeMasterEntry entry = new ChargeMasterEntry(code, system, cpt, description, indicator, chargeCode,
                    professionalChargeCode, units);
            for (LocatedEntry earlier : entries) {
                if (!code.isEmpty() && earlier.entry().matches(code, system)) {
                    yaml.problem("code", "test code " + code + " (" + system + ") is already mapped by "
                            + earlier.yaml().path() + " on line " + earlier.yaml().line()
                            + "; a test code must decide exactly one CPT");
                }
            }
            entries.add(new LocatedEntry(entry, yaml));
        }
        if (entries.isEmpty() && root.has("chargeMaster")) {
            root.problem("chargeMaster", "has no entry, so no test would ever be charged");
        }
        return entries;
    }

    private String cpt(YamlMapping yaml, String key, boolean required) {
        String value = required ? yaml.requiredText(key) : yaml.text(key, "");
        if (!value.isEmpty() && !Codes.isCpt(value)) {
            yaml.problem(key, "\"" + value + "\" is not a CPT code (" + Codes.CPT_SHAPE + ")");
        }
        return value;
    }

    private Map<String, MueLimit> mue(YamlMapping root) {
        Map<String, MueLimit> limits = new LinkedHashMap<>();
        root.mapping("mue").ifPresent(mue -> {
            for (String cpt : mue.keys()) {
                if (!Codes.isCpt(cpt)) {
                    mue.problem(cpt, "\"" + cpt + "\" is not a CPT code (" + Codes.CPT_SHAPE + ")");
                }
                mue.mapping(cpt).ifPresent(limit -> {
                    limit.allowOnly("practitioner", "facility");
                    Integer practitioner = limit.has("practitioner")
                            ? limit.integer("practitioner", 1, 1, 9999) : null;
                    Integer facility = limit.has("facility") ? limit.integer("facility", 1, 1, 9999) : null;
                    limits.put(cpt, new MueLimit(practitioner, facility));
                });
            }
        });
        return limits;
    }

    private Map<String, List<Modifier>> extraModifiers(YamlMapping root, List<LocatedEntry> entries) {
        Map<String, List<Modifier>> extras = new LinkedHashMap<>();
        root.mapping("extraModifiers").ifPresent(block -> {
            for (String cpt : block.keys()) {
                if (entries.stream().noneMatch(e -> e.entry().cpt().equals(cpt))) {
                    block.problem(cpt, "CPT " + cpt + " is not in the charge master");
                }
                List<Modifier> modifiers = new ArrayList<>();
                for (YamlMapping.Scalar value : block.scalars(cpt)) {
                    Optional<Modifier> modifier = Modifier.of(value.value());
                    if (modifier.isEmpty()) {
                        problems.add(value.line(), value.path(), "\"" + value.value() + "\" is not a modifier "
                                + "this engine writes (59, XE, XS, XP, XU, GA, GZ, GY)");
                    } else if (modifier.get().slot() != Modifier.Slot.DISTINCT
                            && modifier.get().slot() != Modifier.Slot.LIABILITY) {
                        problems.add(value.line(), value.path(), value.value() + " comes from its own rule "
                                + "(26 and TC: pricing, 90: referral, 91: repeat) and cannot be added here");
                    } else if (modifiers.contains(modifier.get())) {
                        problems.add(value.line(), value.path(), value.value() + " is listed twice");
                    } else {
                        modifiers.add(modifier.get());
                    }
                }
                extras.put(cpt, modifiers.stream().sorted().toList());
            }
        });
        return extras;
    }

    // --- payers -------------------------------------------------------------------------------------------------

    private List<PayerMapEntry> payerMap(YamlMapping root, Map<String, LocatedProfile> profiles) {
        List<PayerMapEntry> map = new ArrayList<>();
        for (YamlMapping row : root.mappings("payerMap")) {
            row.allowOnly("id", "name", "profile");
            if (row.has("id") == row.has("name")) {
                problems.add(row.line(), row.path(), "give exactly one of id (IN1-3.1 company ID, else IN1-2.1 "
                        + "plan ID) or name (IN1-4 company name)");
                continue;
            }
            PayerMapEntry.MatchOn on = row.has("id") ? PayerMapEntry.MatchOn.ID : PayerMapEntry.MatchOn.NAME;
            String key = on == PayerMapEntry.MatchOn.ID ? "id" : "name";
            String value = row.requiredText(key);
            String profile = row.requiredText("profile");
            if (!profile.isEmpty() && !profiles.containsKey(profile)) {
                row.problem("profile", "\"" + profile + "\" is not a profile under payers ("
                        + String.join(", ", profiles.keySet()) + ")");
            }
            for (PayerMapEntry earlier : map) {
                if (earlier.matches(on, value)) {
                    row.problem(key, key + " \"" + value + "\" is already mapped on line " + earlier.line());
                }
            }
            map.add(new PayerMapEntry(on, value, profile, row.lineOf(key)));
        }
        return map;
    }

    private Map<String, LocatedProfile> payers(YamlMapping root, List<LocatedEntry> entries) {
        Map<String, LocatedProfile> profiles = new LinkedHashMap<>();
        Optional<YamlMapping> block = root.mapping("payers");
        if (block.isEmpty()) {
            problems.add(root.line(), "payers", "is required and must hold at least the OTHER profile");
            return profiles;
        }
        for (String name : block.get().keys()) {
            if (!PROFILE_NAME.matcher(name).matches()) {
                block.get().problem(name, "a profile name is upper-case letters, digits and _ (e.g. MEDICARE)");
            }
            block.get().mapping(name).ifPresent(yaml -> profiles.put(name,
                    new LocatedProfile(profile(name, yaml, entries), yaml)));
        }
        if (!block.get().has("OTHER")) {
            root.problem("payers", "must hold an OTHER profile: it applies to any payer "
                    + "identifier the payer map does not know (docs/decision-contract.md §5)");
        }
        for (LocatedProfile located : profiles.values()) {
            String target = located.profile().inpatientAtIndependentLab();
            if (target.equals(PayerProfile.CHARGE) || target.equals(PayerProfile.HOLD)) {
                continue;
            }
            LocatedProfile clientBill = profiles.get(target);
            if (clientBill == null) {
                located.yaml().problem("inpatientAtIndependentLab", "\"" + target + "\" is neither CHARGE, HOLD "
                        + "nor a profile under payers");
            } else if (!clientBill.profile().inpatientAtIndependentLab().equals(PayerProfile.CHARGE)) {
                located.yaml().problem("inpatientAtIndependentLab", "profile " + target + " sets its own "
                        + "inpatientAtIndependentLab; a client-bill profile must not redirect again");
            }
        }
        return profiles;
    }

    private PayerProfile profile(String name, YamlMapping yaml, List<LocatedEntry> entries) {
        yaml.allowOnly("referralModifier90For", "technicalModifier", "technicalModifierCpts",
                "professionalComponent", "medicalNecessityRules", "supportingDiagnoses", "excludedDiagnoses",
                "abnSignedValues", "unsupportedWithoutAbn", "inpatientAtIndependentLab");
        Set<LabType> referral = EnumSet.noneOf(LabType.class);
        if (!yaml.has("referralModifier90For")) {
            referral.add(LabType.INDEPENDENT);
        }
        for (YamlMapping.Scalar value : yaml.scalars("referralModifier90For")) {
            if (value.value().equals(LabType.HOSPITAL.name())) {
                problems.add(value.line(), value.path(), "a HOSPITAL lab bills tests obtained under arrangements "
                        + "on its own claim without 90 [2.2]; use site.referredTestAtHospital instead");
            } else if (value.value().equals(LabType.INDEPENDENT.name())
                    || value.value().equals(LabType.PHYSICIAN_OFFICE.name())) {
                referral.add(LabType.valueOf(value.value()));
            } else {
                problems.add(value.line(), value.path(), "\"" + value.value()
                        + "\" is not INDEPENDENT or PHYSICIAN_OFFICE");
            }
        }
        String technical = yaml.text("technicalModifier", "NONE");
        if (!technical.equals("NONE") && !technical.equals("TC")) {
            yaml.problem("technicalModifier", "\"" + technical + "\" is not NONE or TC");
        }
        List<String> tcCpts = new ArrayList<>();
        for (YamlMapping.Scalar cpt : yaml.scalars("technicalModifierCpts")) {
            if (!Codes.isCpt(cpt.value())) {
                problems.add(cpt.line(), cpt.path(), "\"" + cpt.value() + "\" is not a CPT code ("
                        + Codes.CPT_SHAPE + ")");
            } else if (entries.stream().noneMatch(e -> e.entry().cpt().equals(cpt.value()))) {
                problems.add(cpt.line(), cpt.path(), "CPT " + cpt.value() + " is not in the charge master");
            }
            tcCpts.add(cpt.value());
        }
        if (yaml.has("technicalModifierCpts") && !technical.equals("TC")) {
            yaml.problem("technicalModifierCpts", "has no effect unless technicalModifier is TC");
        } else if (yaml.has("technicalModifierCpts") && tcCpts.isEmpty()) {
            // Left out, the key means every CPT; an empty list reads as "none", so it is refused rather than guessed.
            yaml.problem("technicalModifierCpts", "is empty: list the CPTs TC applies to, leave the key out for every"
                    + " CPT in the charge master, or set technicalModifier: NONE for none");
        }
        boolean medical = yaml.bool("medicalNecessityRules", false);
        if (!medical) {
            for (String key : List.of("supportingDiagnoses", "excludedDiagnoses", "abnSignedValues",
                    "unsupportedWithoutAbn")) {
                if (yaml.has(key)) {
                    yaml.problem(key, "has no effect unless medicalNecessityRules is true");
                }
            }
        }
        List<String> abnSigned = yaml.has("abnSignedValues") ? yaml.texts("abnSignedValues") : DEFAULT_ABN_SIGNED;
        for (YamlMapping.Scalar value : yaml.scalars("abnSignedValues")) {
            if (!TABLE_0339_VALUE.matcher(value.value()).matches()) {
                problems.add(value.line(), value.path(), "\"" + value.value() + "\" is not an ORC-20 (table 0339) "
                        + "value such as 2 or 3");
            }
        }
        return new PayerProfile(name, referral, technical.equals("TC"), tcCpts,
                yaml.choice("professionalComponent", ProfessionalComponent.class, ProfessionalComponent.BILL),
                medical, diagnoses(yaml, "supportingDiagnoses"), diagnoses(yaml, "excludedDiagnoses"), abnSigned,
                yaml.choice("unsupportedWithoutAbn", UnsupportedWithoutAbn.class, UnsupportedWithoutAbn.HOLD),
                yaml.text("inpatientAtIndependentLab", PayerProfile.CHARGE));
    }

    private DiagnosisList diagnoses(YamlMapping yaml, String key) {
        List<DiagnosisList.Range> ranges = new ArrayList<>();
        for (YamlMapping.Scalar item : yaml.scalars(key)) {
            String[] ends = RANGE_DASH.split(item.value(), -1);
            if (ends.length > 2) {
                problems.add(item.line(), item.path(), "\"" + item.value() + "\" is not a code or a range CODE-CODE");
                continue;
            }
            String low = ends[0].trim();
            String high = ends.length == 2 ? ends[1].trim() : low;
            boolean valid = true;
            for (String end : low.equals(high) ? new String[] {low} : new String[] {low, high}) {
                if (!Codes.isIcd10Cm(end)) {
                    problems.add(item.line(), item.path(), "\"" + end + "\" is not an ICD-10-CM code ("
                            + Codes.ICD10CM_SHAPE + ")");
                    valid = false;
                }
            }
            if (!valid) {
                continue;
            }
            String lowKey = Codes.normaliseDiagnosis(low);
            String highKey = Codes.normaliseDiagnosis(high);
            if (lowKey.length() != highKey.length()) {
                problems.add(item.line(), item.path(), "both ends of \"" + item.value() + "\" must have the same "
                        + "number of characters (e.g. C90.0-C90.3 or D80-D84)");
            } else if (lowKey.compareTo(highKey) > 0) {
                problems.add(item.line(), item.path(), "\"" + item.value() + "\" runs backwards");
            } else {
                ranges.add(new DiagnosisList.Range(lowKey, highKey, item.value()));
            }
        }
        return new DiagnosisList(ranges);
    }
}
