package org.iepcharge.rules;

import org.iepcharge.domain.HoldReason;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.Observation;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.OrderedTest;
import org.iepcharge.domain.Provider;
import org.iepcharge.domain.ResultStatus;

/**
 * One evaluation of the rules for one input; lives for one {@link ChargeDecider#decide} call. Rules run in the order
 * of docs/decision-contract.md §5, each writing its finding to the trace; the first hold that applies to a line is its
 * hold.
 */
final class DecisionRun {
    private static final Set<LineKind> ALL_LINES = EnumSet.allOf(LineKind.class);
    private static final Set<LineKind> TECHNICAL_LINE = EnumSet.of(LineKind.T);

    private enum PerformedBy { OURS, REFERENCE_LAB, UNKNOWN }

    private record PendingHold(Hold hold, Set<LineKind> lines) {
    }

    private final RuleSet rules;
    private final SiteProfile site;
    private final DecisionInput in;
    private final OrderedTest test;
    private final OrderContext context;
    private final Sources sources;
    /**
     * Whether the trace is written: for {@code explain} (and the rules tests), not for the engine's message path,
     * where nothing reads it and building its strings was most of the rules' share of the ledger writer's time
     * (issue 9). Each trace entry is built under this flag; what decides a line or a hold's text never is.
     */
    private final boolean explaining;
    private final Trace trace = new Trace();
    private final List<PendingHold> holds = new ArrayList<>();
    private final Set<Modifier> technical = EnumSet.noneOf(Modifier.class);
    private final Set<Modifier> professional = EnumSet.noneOf(Modifier.class);
    private boolean professionalLine;

    DecisionRun(RuleSet rules, DecisionInput in, boolean explaining) {
        this.explaining = explaining;
        this.rules = rules;
        this.site = rules.site();
        this.in = in;
        this.test = in.test();
        this.context = in.context();
        this.sources = new Sources(in.header(), in.context());
    }

    Decision run() {
        ChargeMasterEntry entry = rules.chargeMasterEntry(test.test(), test.alternateTest()).orElse(null);
        if (entry == null) {
            return unrecognised();
        }
        if (explaining) {
            trace.add("charge master", "test " + code(test.test()) + (test.alternateTest().isEmpty() ? ""
                    : ", alternate " + code(test.alternateTest())) + " of " + sources.thisMessage(),
                    "CPT " + entry.cpt() + " (" + entry.system() + " " + entry.code() + ", PC/TC indicator "
                            + entry.pcTcIndicator() + ", rules " + rules.version() + ")",
                    "[1.1] recognised by code only");
        }
        checkResultStatus();
        checkCollectionDate();
        checkOrderingProvider();
        PayerProfile payer = inpatientRule(payer());
        PerformedBy performedBy = performingLab();
        professionalLine(payer, performedBy);
        referral(payer, performedBy);
        technicalModifier(payer, entry);
        repeatAndMue(entry);
        medicalNecessity(payer);
        extraModifiers(entry);
        return new Decision(Decision.Outcome.CHARGE_MASTER_TEST, lines(entry), trace.entries(), rules.version());
    }

    // --- recognition (§3) ---------------------------------------------------------------------------------------

    private Decision unrecognised() {
        String saw = !explaining ? "" : "test " + code(test.test()) + " " + Sources.quoted(test.test().text())
                + (test.alternateTest().isEmpty() ? "" : ", alternate " + code(test.alternateTest()) + " "
                + Sources.quoted(test.alternateTest().text())) + " of " + sources.thisMessage();
        if (!rules.looksLikeIep(test.test(), test.alternateTest())) {
            if (explaining) {
                trace.add("charge master", saw, "not in the charge master: ignored", "§3");
            }
            return new Decision(Decision.Outcome.NOT_A_CHARGE_MASTER_TEST, List.of(), trace.entries(),
                    rules.version());
        }
        if (explaining) {
            trace.add("charge master", saw, "not in the charge master, but the name looks like IEP: held for an "
                    + "analyst to map the code", "[1.1] a name never decides a CPT");
        }
        ChargeLine line = new ChargeLine("", LineKind.T, "", test.test().text(), "", 1, List.of(),
                test.collectionTime(), Provider.NONE);
        Hold hold = Hold.of(HoldReason.UNMAPPED_IEP_LIKE_TEST, "test code " + code(test.test())
                + " is not in the charge master of " + rules.source());
        return new Decision(Decision.Outcome.UNMAPPED_IEP_LIKE_TEST, List.of(new DecidedLine(line, hold)),
                trace.entries(), rules.version());
    }

    // --- inputs every line needs (§1, §6) -----------------------------------------------------------------------

    private void checkResultStatus() {
        String sent = test.resultStatus();
        String effective = test.effectiveResultStatus();
        String saw = !explaining ? "" : sent.isEmpty()
                ? "OBR-25 empty; derived from OBX-11 of " + sources.thisMessage() + ": "
                + (effective.isEmpty() ? "interim" : effective)
                : "OBR-25 " + Sources.quoted(sent) + " of " + sources.thisMessage();
        if (test.effectiveStatus() == ResultStatus.UNKNOWN) {
            hold(ALL_LINES, HoldReason.UNKNOWN_RESULT_STATUS, "OBR-25 " + Sources.quoted(effective)
                    + " is not in HL7 table 0123");
            if (explaining) {
                trace.add("result status", saw, "not in table 0123: held", "[4.4]");
            }
        } else if (explaining) {
            trace.add("result status", saw, "valid", "[4.4]");
        }
    }

    private void checkCollectionDate() {
        String when = test.collectionTime();
        String saw = !explaining ? "" : "SPM-17/OBR-7 " + Sources.quoted(when) + " of " + sources.thisMessage();
        if (!Codes.hasDate(when)) {
            hold(ALL_LINES, HoldReason.NO_COLLECTION_DATE, when.isEmpty() ? "neither SPM-17 nor OBR-7 is valued"
                    : "SPM-17/OBR-7 " + Sources.quoted(when) + " is not a date");
            if (explaining) {
                trace.add("date of service", saw, "no collection date: held (never the result or message date)",
                        "[2.3]");
            }
        } else if (explaining) {
            trace.add("date of service", saw, "date of service " + when.substring(0, 8), "[2.3]");
        }
    }

    private void checkOrderingProvider() {
        boolean fromOrder = context != null && !context.orderingProvider().isEmpty();
        Provider provider = fromOrder ? context.orderingProvider() : test.orderingProvider();
        if (provider.isEmpty()) {
            hold(ALL_LINES, HoldReason.NO_ORDERING_PROVIDER, "neither the order nor " + sources.thisMessage()
                    + " names one in ORC-12 or OBR-16");
            if (explaining) {
                trace.add("ordering provider", "ORC-12/OBR-16 empty", "held: lab claims need the ordering provider",
                        "[4.2] FT1-21");
            }
        } else if (explaining) {
            trace.add("ordering provider", "ORC-12/OBR-16 " + Sources.quoted(provider.id()) + " of "
                    + (fromOrder ? sources.order() : sources.thisMessage()), "FT1-21", "[4.2] FT1-21");
        }
    }

    private PayerProfile payer() {
        PayerResolver.Resolution resolution = new PayerResolver(rules).resolve(context, sources);
        if (resolution.isKnown()) {
            if (explaining) {
                trace.add("payer", resolution.saw(), "payer " + resolution.profile() + " (" + resolution.why() + ")",
                        "§1");
            }
            return rules.payerProfile(resolution.profile()).orElseThrow();
        }
        if (site.holdsWhenPayerUnknown()) {
            hold(ALL_LINES, HoldReason.PAYER_UNKNOWN, resolution.why() + "; re-evaluated when the order context "
                    + "arrives");
            if (explaining) {
                trace.add("payer", resolution.saw(), "unknown: " + resolution.why() + "; held (payerWhenUnknown: HOLD)",
                        "§1, §6");
            }
            return null;
        }
        if (explaining) {
            trace.add("payer", resolution.saw(), "unknown: " + resolution.why() + "; charged as "
                    + site.payerWhenUnknown() + " (payerWhenUnknown)", "§2");
        }
        return rules.payerProfile(site.payerWhenUnknown()).orElseThrow();
    }

    /** Inpatient tests are in the hospital's DRG: an outside lab bills the hospital, never Part B [2.2]. */
    private PayerProfile inpatientRule(PayerProfile payer) {
        if (payer == null || site.labType() != LabType.INDEPENDENT
                || payer.inpatientAtIndependentLab().equals(PayerProfile.CHARGE)) {
            return payer;
        }
        String patientClass = context == null ? "" : context.visit().patientClass();
        String saw = !explaining ? "" : "PV1-2 " + Sources.quoted(patientClass) + " of " + sources.order()
                + ", lab type INDEPENDENT, payer " + payer.name();
        if (!patientClass.equals("I")) {
            if (explaining) {
                trace.add("inpatient", saw, "not an inpatient: no effect", "[2.2]");
            }
            return payer;
        }
        if (payer.inpatientAtIndependentLab().equals(PayerProfile.HOLD)) {
            hold(ALL_LINES, HoldReason.INPATIENT_AT_INDEPENDENT_LAB, "PV1-2 = I and payer profile " + payer.name()
                    + " holds inpatient specimens at an independent lab (inpatientAtIndependentLab: HOLD): the"
                    + " hospital, not this payer, may have to be billed");
            if (explaining) {
                trace.add("inpatient", saw, "held", "[2.2]");
            }
            return payer;
        }
        PayerProfile clientBill = rules.payerProfile(payer.inpatientAtIndependentLab()).orElseThrow();
        if (explaining) {
            trace.add("inpatient", saw, "charged to client-bill profile " + clientBill.name(), "[2.2]");
        }
        return clientBill;
    }

    // --- performing laboratory and the professional line (§4) --------------------------------------------------

    private PerformedBy performingLab() {
        Set<String> ids = test.observations().stream().map(Observation::performingLabId)
                .filter(id -> !id.isEmpty()).collect(Collectors.toCollection(LinkedHashSet::new));
        String saw = !explaining ? "" : "OBX-23/OBX-15 " + (ids.isEmpty() ? "not valued"
                : ids.stream().map(Sources::quoted)
                .collect(Collectors.joining(", "))) + " in " + sources.thisMessage() + "; lab.ids " + site.labIds();
        PerformedBy performedBy;
        String why;
        if (ids.isEmpty()) {
            performedBy = PerformedBy.UNKNOWN;
            why = "no performing lab named";
        } else if (site.labIds().isEmpty()) {
            performedBy = PerformedBy.UNKNOWN;
            why = "site.lab.ids is empty, so ours cannot be told from a reference lab";
        } else if (ids.stream().allMatch(site::isOurLab)) {
            if (explaining) {
                trace.add("performing lab", saw, "our laboratory", "§2");
            }
            return PerformedBy.OURS;
        } else {
            if (explaining) {
                trace.add("performing lab", saw, "a reference (outside) laboratory", "[2.1]");
            }
            return PerformedBy.REFERENCE_LAB;
        }
        if (site.unknownPerformingLab() == UnknownPerformingLab.HOLD) {
            hold(ALL_LINES, HoldReason.UNKNOWN_PERFORMING_LAB, why + " (unknownPerformingLab: HOLD)");
            if (explaining) {
                trace.add("performing lab", saw, "unknown (" + why + "): held, as unknownPerformingLab says", "§2");
            }
        } else if (explaining) {
            trace.add("performing lab", saw, "unknown (" + why + "): taken as ours, as unknownPerformingLab says",
                    "§2");
        }
        return performedBy;
    }

    private boolean performedByUs(PerformedBy performedBy) {
        return performedBy == PerformedBy.OURS
                || (performedBy == PerformedBy.UNKNOWN && site.unknownPerformingLab() == UnknownPerformingLab.OURS);
    }

    private boolean interpretationEvidence() {
        return test.observations().stream().anyMatch(obx -> (obx.valueType().equals("TX")
                || obx.valueType().equals("FT") || rules.recognition().isInterpretationCode(obx.code()))
                && (obx.status().equals("F") || obx.status().equals("C")));
    }

    /** The 26 line only when every condition of 42 CFR 415.130 we can see holds [1.2, 4.5]. */
    private void professionalLine(PayerProfile payer, PerformedBy performedBy) {
        Provider interpreter = test.interpreter();
        List<String> missing = new ArrayList<>();
        if (!site.professionalBilling()) {
            missing.add("professionalBilling is off");
        }
        if (interpreter.id().isEmpty()) {
            missing.add("OBR-32 names no pathologist");
        } else if (!site.isOurPathologist(interpreter.id())) {
            missing.add("OBR-32 " + Sources.quoted(interpreter.id()) + " is not on the pathologists roster");
        }
        if (!interpretationEvidence()) {
            missing.add("no final TX/FT interpretation OBX");
        }
        if (!performedByUs(performedBy)) {
            missing.add("not performed by our laboratory");
        }
        if (payer != null && payer.professionalComponent() == ProfessionalComponent.OMIT) {
            missing.add("payer profile " + payer.name() + " has professionalComponent: OMIT [2.4]");
        }
        professionalLine = missing.isEmpty();
        if (professionalLine) {
            professional.add(Modifier.PROFESSIONAL);
            if (explaining) {
                trace.add("professional line", "OBR-32 " + Sources.quoted(interpreter.id()) + " of "
                        + sources.thisMessage() + " on the roster, interpretation OBX present, performed by us",
                        "86320-26 line with modifier 26, FT1-20 = the pathologist", "[1.2] 42 CFR 415.130");
            }
        } else if (explaining) {
            trace.add("professional line", String.join("; ", missing), "no 26 line", "[1.2] 42 CFR 415.130");
        }
    }

    // --- modifiers (§5), in the written order -------------------------------------------------------------------

    private void referral(PayerProfile payer, PerformedBy performedBy) {
        if (performedBy != PerformedBy.REFERENCE_LAB) {
            if (explaining) {
                trace.add("referred test (90)", "performed by "
                        + performedBy.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
                        "no 90", "[2.1]");
            }
            return;
        }
        if (site.labType() == LabType.HOSPITAL) {
            if (site.referredTestAtHospital() == ReferredTestAtHospital.HOLD) {
                hold(TECHNICAL_LINE, HoldReason.REFERRED_NOT_BILLABLE, "a HOSPITAL lab's referred test "
                        + "(referredTestAtHospital: HOLD)");
                if (explaining) {
                    trace.add("referred test (90)", "lab type HOSPITAL, reference lab", "held for review", "[2.2]");
                }
            } else if (explaining) {
                trace.add("referred test (90)", "lab type HOSPITAL, reference lab", "no 90: billed on the "
                        + "hospital's own claim under arrangements", "[2.2]");
            }
            return;
        }
        if (payer == null) {
            if (explaining) {
                trace.add("referred test (90)", "lab type " + site.labType() + ", reference lab", "not evaluated: "
                        + "payer unknown", "[2.1, 2.4]");
            }
            return;
        }
        String saw = !explaining ? "" : "lab type " + site.labType() + ", reference lab, payer " + payer.name()
                + " pays 90 for " + payer.referralModifier90For();
        if (payer.referralModifier90For().contains(site.labType())) {
            technical.add(Modifier.REFERENCE_LAB);
            if (explaining) {
                trace.add("referred test (90)", saw, "90 on the technical line", "[2.1, 2.4]");
            }
        } else {
            hold(TECHNICAL_LINE, HoldReason.REFERRED_NOT_BILLABLE, "payer " + payer.name() + " does not pay a "
                    + site.labType() + " lab for a referred test (90 is for independent labs)");
            if (explaining) {
                trace.add("referred test (90)", saw, "held: this lab type cannot bill it to this payer", "[2.1, 2.4]");
            }
        }
    }

    private void technicalModifier(PayerProfile payer, ChargeMasterEntry entry) {
        if (payer == null || !payer.wantsTechnicalModifierFor(entry.cpt())) {
            if (explaining) {
                trace.add("technical component (TC)", payer == null ? "payer unknown"
                        : "payer " + payer.name() + " has no technicalModifier: TC for CPT " + entry.cpt(),
                        "no TC", "[1.2]");
            }
            return;
        }
        if (!entry.allowsTechnicalModifier()) {
            // The loader refuses such a file; kept so that TC can never reach an indicator-6 line.
            if (explaining) {
                trace.add("technical component (TC)", "PC/TC indicator " + entry.pcTcIndicator(), "no TC: the "
                        + "indicator forbids it", "[1.2, 2.1]");
            }
            return;
        }
        boolean interpreted = !test.interpreter().id().isEmpty() && interpretationEvidence();
        if (interpreted && !professionalLine) {
            technical.add(Modifier.TECHNICAL);
            if (explaining) {
                trace.add("technical component (TC)", "payer " + payer.name() + " wants TC; indicator "
                        + entry.pcTcIndicator() + "; OBR-32 " + Sources.quoted(test.interpreter().id())
                        + " interprets and we post no 26 line", "TC on the technical line", "[1.2, 2.1]");
            }
        } else if (explaining) {
            trace.add("technical component (TC)", "payer " + payer.name() + " wants TC; indicator "
                    + entry.pcTcIndicator(), professionalLine ? "no TC: we bill the interpretation ourselves"
                    : "no TC: no interpretation billed by another party", "[1.2, 2.1]");
        }
    }

    private void repeatAndMue(ChargeMasterEntry entry) {
        if (!in.header().isProduction()) {
            if (explaining) {
                trace.add("same-day repeat", "MSH-11 " + Sources.quoted(in.header().processingId()),
                        "not evaluated: training/debugging traffic never counts against production", "§7");
            }
            return;
        }
        String patientKey = in.patientKey();
        if (patientKey.isEmpty() || !Codes.hasDate(test.collectionTime())) {
            if (explaining) {
                trace.add("same-day repeat", patientKey.isEmpty() ? "no patient identifier (PID-3)"
                        : "no date of service", "not evaluated", "[2.1]");
            }
            return;
        }
        String dateOfService = test.collectionTime().substring(0, 8);
        // The order's whole identity: the numbers this message names it by, completed by the stored order context,
        // so that a result naming the order by its filler number only is not a duplicate of its own order (§1, §5).
        OrderKey thisOrder = context == null ? test.key() : test.key().mergedWith(context.key());
        List<PriorLine> others = in.history().postedTechnicalLines(patientKey, entry.cpt(), dateOfService).stream()
                .filter(prior -> !prior.isSameOrderAs(thisOrder))
                .toList();
        String saw = !explaining ? "" : others.size() + " posted technical line(s) of other orders for this patient"
                + " (PID-3), CPT " + entry.cpt() + ", date of service " + dateOfService;
        if (others.isEmpty()) {
            if (explaining) {
                trace.add("same-day repeat", saw, "not a repeat", "[2.1]");
            }
        } else {
            List<PriorLine> sameCollection = others.stream()
                    .filter(prior -> prior.collectionTime().equals(test.collectionTime())).toList();
            if (!sameCollection.isEmpty()) {
                hold(ALL_LINES, HoldReason.SAME_DAY_REPEAT_OR_DUPLICATE, "duplicate order: order "
                        + sameCollection.get(0).orderKey().primaryKey() + " was already charged for the same "
                        + "collection time");
                if (explaining) {
                    trace.add("same-day repeat", saw + "; one has the same collection time", "duplicate order: held",
                            "[2.1]");
                }
                return;
            }
            if (site.sameDayRepeat() == SameDayRepeat.HOLD) {
                hold(ALL_LINES, HoldReason.SAME_DAY_REPEAT_OR_DUPLICATE, "order "
                        + others.get(0).orderKey().primaryKey() + " was already charged on this date of service; "
                        + "a repeat or a duplicate order (sameDayRepeat: HOLD)");
                if (explaining) {
                    trace.add("same-day repeat", saw + "; different collection times", "held (sameDayRepeat: HOLD)",
                            "[2.1]");
                }
                return;
            }
            technical.add(Modifier.REPEAT);
            if (professionalLine) {
                professional.add(Modifier.REPEAT);
            }
            if (explaining) {
                trace.add("same-day repeat", saw + "; different collection times", "91 (sameDayRepeat: MODIFIER_91)",
                        "[2.1]");
            }
        }
        mue(entry, others);
    }

    private void mue(ChargeMasterEntry entry, List<PriorLine> others) {
        String table = site.labType().usesFacilityMue() ? "facility" : "practitioner";
        java.util.OptionalInt limit = rules.mueLimit(entry.cpt())
                .map(m -> m.limitFor(site.labType())).orElse(java.util.OptionalInt.empty());
        if (limit.isEmpty()) {
            if (explaining) {
                trace.add("MUE", "no " + table + " MUE configured for CPT " + entry.cpt(), "not checked",
                        "[1.3] no value confirmed for 86320");
            }
            return;
        }
        int posted = others.stream().mapToInt(PriorLine::units).sum();
        String saw = posted + " unit(s) posted + " + entry.units() + " now, " + table + " MUE " + limit.getAsInt();
        if (posted + entry.units() > limit.getAsInt()) {
            hold(TECHNICAL_LINE, HoldReason.MUE_EXCEEDED, saw + " for CPT " + entry.cpt()
                    + "; an MUE denial is lab liability, an ABN cannot shift it");
            if (explaining) {
                trace.add("MUE", saw, "exceeded: held", "[1.3]");
            }
        } else if (explaining) {
            trace.add("MUE", saw, "within the limit", "[1.3]");
        }
    }

    /** GA / GZ / GY, or a hold, for payers with the Medicare rules [2.1, 3]; at most one of them per line. */
    private void medicalNecessity(PayerProfile payer) {
        if (payer == null) {
            if (explaining) {
                trace.add("medical necessity", "payer unknown", "not evaluated", "[2.1, 3]");
            }
            return;
        }
        if (!payer.medicalNecessityRules()) {
            if (explaining) {
                trace.add("medical necessity", "payer " + payer.name(), "no GA/GZ/GY: the profile has no "
                        + "medical-necessity rules", "[2.1]");
            }
            return;
        }
        DiagnosisFacts dx = DiagnosisFacts.of(context, test, rules.recognition(), sources);
        String saw = !explaining ? "" : dx.isEmpty() ? "no diagnosis on the order or OBR-31"
                : "diagnoses " + concat(dx.icd10Cm(), dx.other());
        if (dx.isEmpty()) {
            hold(ALL_LINES, HoldReason.NO_DIAGNOSIS, "the order carries no diagnosis, which payer profile "
                    + payer.name() + " requires (medicalNecessityRules); the engine never invents one");
            if (explaining) {
                trace.add("medical necessity", saw, "held: lab claims need the ordering physician's diagnosis", "[3]");
            }
            return;
        }
        if (!dx.other().isEmpty()) {
            hold(ALL_LINES, HoldReason.DIAGNOSIS_NOT_ICD10CM, dx.other().stream().map(s -> s.written() + " ("
                    + (s.system().isEmpty() ? "no coding system" : s.system()) + ")")
                    .collect(Collectors.joining(", ")) + " is not ICD-10-CM, which payer profile " + payer.name()
                    + " requires (medicalNecessityRules)");
            if (explaining) {
                trace.add("medical necessity", saw, "held: not every diagnosis is ICD-10-CM (coding systems "
                        + rules.recognition().diagnosisCodingSystems() + ")", "[3, 4.2]");
            }
            return;
        }
        if (!payer.excludedDiagnoses().isEmpty()
                && dx.icd10Cm().stream().allMatch(s -> payer.excludedDiagnoses().covers(s.normalised()))) {
            addLiability(Modifier.STATUTORY_EXCLUSION);
            if (explaining) {
                trace.add("medical necessity", saw, "every diagnosis is on the excluded list: GY", "[2.1]");
            }
            return;
        }
        boolean fromOrder = context != null && !context.abnStatus().isEmpty();
        String abn = fromOrder ? context.abnStatus() : test.abnStatus();
        String abnSaw = "ORC-20 " + (abn.isEmpty() ? "absent" : Sources.quoted(abn) + " of "
                + (fromOrder ? sources.order() : sources.thisMessage()));
        if (payer.abnSignedValues().contains(abn)) {
            addLiability(Modifier.ABN_ON_FILE);
            if (explaining) {
                trace.add("ABN", abnSaw + "; signed values " + payer.abnSignedValues(), "GA on every line", "[2.1]");
            }
            return;
        }
        DiagnosisFacts.Seen supported = dx.icd10Cm().stream()
                .filter(s -> payer.supportingDiagnoses().covers(s.normalised())).findFirst().orElse(null);
        if (supported != null) {
            if (explaining) {
                trace.add("medical necessity", saw + "; " + abnSaw, supported.written() + " is covered by "
                        + payer.supportingDiagnoses().rangeCovering(supported.normalised()).written()
                        + " on the starter list: no modifier", "[3]");
            }
            return;
        }
        if (payer.unsupportedWithoutAbn() == UnsupportedWithoutAbn.GZ) {
            addLiability(Modifier.NO_ABN_EXPECTED_DENIAL);
            if (explaining) {
                trace.add("medical necessity", saw + "; " + abnSaw, "none on the supporting list, no signed ABN: GZ "
                        + "(unsupportedWithoutAbn: GZ)", "[2.1, 3]");
            }
        } else {
            hold(ALL_LINES, HoldReason.NOT_SUPPORTED_WITHOUT_ABN, "no diagnosis on the supporting list of "
                    + payer.name() + " and no signed ABN (" + abnSaw + ")");
            if (explaining) {
                trace.add("medical necessity", saw + "; " + abnSaw, "none on the supporting list, no signed ABN: held "
                        + "for ABN review", "[2.1, 3]");
            }
        }
    }

    private void addLiability(Modifier modifier) {
        technical.add(modifier);
        if (professionalLine) {
            professional.add(modifier);
        }
    }

    private void extraModifiers(ChargeMasterEntry entry) {
        List<Modifier> extras = rules.extraModifiers(entry.cpt());
        if (extras.isEmpty()) {
            if (explaining) {
                trace.add("distinct service (59/X)", "no extraModifiers for CPT " + entry.cpt(), "none",
                        "[1.4] no confirmed NCCI pair for 86320");
            }
            return;
        }
        technical.addAll(extras);
        if (professionalLine) {
            professional.addAll(extras);
        }
        if (explaining) {
            trace.add("distinct service (59/X)", "extraModifiers for CPT " + entry.cpt() + ": " + extras.stream()
                    .map(Modifier::code).toList(), "written on every line", "[1.4]");
        }
    }

    // --- result -------------------------------------------------------------------------------------------------

    private void hold(Set<LineKind> lines, HoldReason reason, String detail) {
        holds.add(new PendingHold(Hold.of(reason, detail), lines));
    }

    private List<DecidedLine> lines(ChargeMasterEntry entry) {
        List<DecidedLine> lines = new ArrayList<>();
        lines.add(line(LineKind.T, entry, entry.chargeCode(), technical, Provider.NONE));
        if (professionalLine) {
            lines.add(line(LineKind.P, entry, entry.professionalChargeCode(), professional, test.interpreter()));
        }
        return lines;
    }

    private DecidedLine line(LineKind kind, ChargeMasterEntry entry, String chargeCode, Set<Modifier> modifiers,
                             Provider performedBy) {
        if (modifiers.size() > Modifier.MAX_PER_LINE) {
            throw new IllegalStateException("rules validation let " + modifiers.size() + " modifiers through");
        }
        // EnumSet iterates in declaration order, which is the written order of §5.
        List<String> codes = modifiers.stream().map(Modifier::code).toList();
        ChargeLine line = new ChargeLine("", kind, entry.cpt(), entry.description(), chargeCode, entry.units(),
                codes, test.collectionTime(), performedBy);
        Hold hold = holds.stream().filter(h -> h.lines().contains(kind)).map(PendingHold::hold).findFirst()
                .orElse(null);
        return new DecidedLine(line, hold);
    }

    private static String code(org.iepcharge.domain.CodedValue coded) {
        return coded.isEmpty() ? "(none)" : coded.code() + "^" + coded.system();
    }

    private static String concat(List<DiagnosisFacts.Seen> a, List<DiagnosisFacts.Seen> b) {
        List<DiagnosisFacts.Seen> all = new ArrayList<>(a);
        all.addAll(b);
        return all.stream().map(DiagnosisFacts.Seen::toString).collect(Collectors.joining("; "));
    }
}
