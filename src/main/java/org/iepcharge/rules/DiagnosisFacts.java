package org.iepcharge.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderedTest;

/**
 * The diagnoses a decision considers: the union of the order's DG1-3 / OBR-31 and the triggering OBR-31, normalised
 * (upper case, dot removed) and split into ICD-10-CM and "not ICD-10-CM" (docs/decision-contract.md §1).
 */
record DiagnosisFacts(List<Seen> icd10Cm, List<Seen> other) {
    /** One diagnosis as seen: comparison form, as written, and where it came from. */
    record Seen(String normalised, String written, String system, String source) {
        @Override
        public String toString() {
            return written + " (" + (system.isEmpty() ? "no coding system" : system) + ") from " + source;
        }
    }

    static DiagnosisFacts of(OrderContext context, OrderedTest test, Recognition recognition, Sources sources) {
        Map<String, Seen> icd = new LinkedHashMap<>();
        Map<String, Seen> other = new LinkedHashMap<>();
        if (context != null) {
            add(context.diagnoses(), "DG1-3/OBR-31 of " + sources.order(), recognition, icd, other);
        }
        add(test.diagnoses(), "OBR-31 of " + sources.thisMessage(), recognition, icd, other);
        return new DiagnosisFacts(new ArrayList<>(icd.values()), new ArrayList<>(other.values()));
    }

    private static void add(List<Diagnosis> diagnoses, String source, Recognition recognition,
                            Map<String, Seen> icd, Map<String, Seen> other) {
        for (Diagnosis dx : diagnoses) {
            if (dx.code().isEmpty()) {
                continue;
            }
            String normalised = Codes.normaliseDiagnosis(dx.code());
            Seen seen = new Seen(normalised, dx.code(), dx.system(), source);
            // A code sent as I10 that cannot be ICD-10-CM (e.g. an ICD-9 number) is no safer than one sent as I9.
            if (recognition.isIcd10CmSystem(dx.system()) && Codes.isNormalisedIcd10Cm(normalised)) {
                icd.putIfAbsent(normalised, seen);
            } else {
                other.putIfAbsent(dx.system() + "|" + normalised, seen);
            }
        }
    }

    boolean isEmpty() {
        return icd10Cm.isEmpty() && other.isEmpty();
    }
}
