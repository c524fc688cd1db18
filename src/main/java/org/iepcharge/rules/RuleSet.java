package org.iepcharge.rules;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.iepcharge.domain.CodedValue;

/**
 * A loaded, validated rules file: site profile, charge master, payer map and payer profiles (docs/decision-contract.md
 * §2–§5). Immutable; a new file means a new RuleSet, and {@link #version()} says which one decided a line.
 */
public final class RuleSet {
    static final String BUILT_IN_RESOURCE = "/rules/default-rules.yaml";

    private final String source;
    private final String version;
    private final SiteProfile site;
    private final Recognition recognition;
    private final List<ChargeMasterEntry> chargeMaster;
    private final Map<String, MueLimit> mue;
    private final Map<String, List<Modifier>> extraModifiers;
    private final List<PayerMapEntry> payerMap;
    private final Map<String, PayerProfile> payers;

    RuleSet(String source, String version, SiteProfile site, Recognition recognition,
            List<ChargeMasterEntry> chargeMaster, Map<String, MueLimit> mue,
            Map<String, List<Modifier>> extraModifiers, List<PayerMapEntry> payerMap,
            Map<String, PayerProfile> payers) {
        this.source = source;
        this.version = version;
        this.site = site;
        this.recognition = recognition;
        this.chargeMaster = List.copyOf(chargeMaster);
        this.mue = Map.copyOf(mue);
        this.extraModifiers = Map.copyOf(extraModifiers);
        this.payerMap = List.copyOf(payerMap);
        this.payers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(payers));
    }

    /**
     * Loads and validates a rules file.
     *
     * @throws RulesException listing every problem as {@code file:line: key: problem}
     */
    public static RuleSet load(Path file) {
        String name = file.getFileName().toString();
        try {
            return parse(name, name, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new RulesException(name + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** The shipped default file, {@code rules/default-rules.yaml} on the classpath. */
    public static RuleSet builtIn() {
        try (InputStream in = RuleSet.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
            if (in == null) {
                throw new RulesException("classpath:" + BUILT_IN_RESOURCE + " is missing from the jar", null);
            }
            return parse("default-rules.yaml", "classpath:rules/default-rules.yaml", in.readAllBytes());
        } catch (IOException e) {
            throw new RulesException("classpath:" + BUILT_IN_RESOURCE + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** Parses rules text; {@code fileName} is what problems and {@link #source()} name. */
    static RuleSet parse(String fileName, String source, byte[] bytes) {
        return RulesFileParser.parse(fileName, source, contentHash(bytes), bytes);
    }

    static RuleSet parse(String fileName, String yaml) {
        return parse(fileName, fileName, yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String contentHash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    /** The file name (or classpath location) the rules came from, for logs. */
    public String source() {
        return source;
    }

    /** First 12 hex digits of the SHA-256 of the file bytes: which rules version posted a line. */
    public String version() {
        return version;
    }

    public SiteProfile site() {
        return site;
    }

    public Recognition recognition() {
        return recognition;
    }

    public List<ChargeMasterEntry> chargeMaster() {
        return chargeMaster;
    }

    public List<PayerMapEntry> payerMap() {
        return payerMap;
    }

    /** The payer profiles by name, in file order. */
    public Map<String, PayerProfile> payerProfiles() {
        return payers;
    }

    public Optional<PayerProfile> payerProfile(String name) {
        return Optional.ofNullable(payers.get(name));
    }

    public Optional<MueLimit> mueLimit(String cpt) {
        return Optional.ofNullable(mue.get(cpt));
    }

    /** 59 / X{EPSU} (or a G modifier) the file adds to every line of a CPT, in written order [1.4]. */
    public List<Modifier> extraModifiers(String cpt) {
        return extraModifiers.getOrDefault(cpt, List.of());
    }

    /**
     * The charge-master entry for a test, recognised by code only: OBR-4 identifier + coding system, else the
     * alternate identifier + system. Never by name: reference labs call immunofixation (86334) "IEP, Serum" [1.1].
     */
    public Optional<ChargeMasterEntry> chargeMasterEntry(CodedValue test, CodedValue alternateTest) {
        return Stream.of(test, alternateTest)
                .filter(coded -> coded != null && !coded.isEmpty())
                .flatMap(coded -> chargeMaster.stream().filter(e -> e.matches(coded.code(), coded.system())))
                .findFirst();
    }

    /**
     * Whether the test's texts (OBR-4.2, OBR-4.5) or codes match an IEP-like name pattern. Used only to hold an
     * unmapped test for an analyst instead of ignoring it; a name never decides a CPT [1.1].
     */
    public boolean looksLikeIep(CodedValue test, CodedValue alternate) {
        return Stream.of(test, alternate)
                .filter(coded -> coded != null)
                .flatMap(coded -> Stream.of(coded.text(), coded.code()))
                .filter(text -> !text.isEmpty())
                .anyMatch(text -> recognition.iepNamePatterns().stream().anyMatch(p -> p.matcher(text).find()));
    }
}
