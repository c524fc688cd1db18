package org.iepcharge.billing;

import java.util.Objects;
import java.util.Set;

/**
 * What the DFT^P03 header and coding depend on, per deployment (docs/decision-contract.md §8).
 *
 * @param sendingApplication   MSH-3.1: our application
 * @param sendingFacility      MSH-4.1: our facility
 * @param receivingApplication MSH-5.1: the billing system's application
 * @param receivingFacility    MSH-6.1: the billing system's facility
 * @param version              MSH-12: {@code 2.5.1} (default) or {@code 2.5}. Older versions lack FT1-26 (2.3) and
 *                             FT1-27 (before 2.5), so they are not offered (docs/decision-contract.md §8)
 * @param icdCodingSystem      coding system written for ICD-10-CM diagnoses in FT1-19 and DG1-3: {@code I10}
 *                             (default; what many US v2.5.1 receivers expect) or {@code I10C} (table 0396 from v2.8.2)
 *                             — a receiver convention [4.2, open question 13]
 */
public record DftSettings(String sendingApplication, String sendingFacility, String receivingApplication,
                          String receivingFacility, String version, String icdCodingSystem) {

    public static final String DEFAULT_VERSION = "2.5.1";
    public static final String DEFAULT_ICD_CODING_SYSTEM = "I10";

    private static final Set<String> VERSIONS = Set.of("2.5.1", "2.5");
    private static final Set<String> ICD_CODING_SYSTEMS = Set.of("I10", "I10C");

    public DftSettings {
        sendingApplication = Objects.requireNonNullElse(sendingApplication, "").trim();
        sendingFacility = Objects.requireNonNullElse(sendingFacility, "").trim();
        receivingApplication = Objects.requireNonNullElse(receivingApplication, "").trim();
        receivingFacility = Objects.requireNonNullElse(receivingFacility, "").trim();
        version = version == null || version.isBlank() ? DEFAULT_VERSION : version.trim();
        icdCodingSystem = icdCodingSystem == null || icdCodingSystem.isBlank()
                ? DEFAULT_ICD_CODING_SYSTEM : icdCodingSystem.trim();
        if (!VERSIONS.contains(version)) {
            throw new IllegalArgumentException("DFT version must be 2.5.1 or 2.5 (docs/decision-contract.md §8), not "
                    + version);
        }
        if (!ICD_CODING_SYSTEMS.contains(icdCodingSystem)) {
            throw new IllegalArgumentException("ICD coding system must be I10 or I10C, not " + icdCodingSystem);
        }
    }

    /** Settings with the defaults: version 2.5.1, ICD coding system I10. */
    public DftSettings(String sendingApplication, String sendingFacility, String receivingApplication,
                       String receivingFacility) {
        this(sendingApplication, sendingFacility, receivingApplication, receivingFacility, DEFAULT_VERSION,
                DEFAULT_ICD_CODING_SYSTEM);
    }
}
