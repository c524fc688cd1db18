package org.iepcharge.rules;

/**
 * Builds small rules files for tests. Each block has a complete default; a test replaces just the block it is about,
 * so the lines it asserts on are easy to count.
 */
final class RulesYaml {
    static final String SITE = """
            site:
              lab:
                type: INDEPENDENT
                ids: [OURLAB]
            """;
    static final String CHARGE_MASTER = """
            chargeMaster:
              - code: "13169-8"
                system: LN
                cpt: "86320"
                description: IMMUNOELECTROPHORESIS SERUM
                pcTcIndicator: 6
            """;
    static final String PAYERS = """
            payerMap:
              - id: "00430"
                profile: MEDICARE
            payers:
              MEDICARE:
                medicalNecessityRules: true
                supportingDiagnoses: [D47.2]
              OTHER:
                referralModifier90For: [INDEPENDENT, PHYSICIAN_OFFICE]
            """;

    private String site = SITE;
    private String chargeMaster = CHARGE_MASTER;
    private String payers = PAYERS;
    private String extra = "";

    static RulesYaml rules() {
        return new RulesYaml();
    }

    RulesYaml site(String yaml) {
        this.site = yaml;
        return this;
    }

    RulesYaml chargeMaster(String yaml) {
        this.chargeMaster = yaml;
        return this;
    }

    RulesYaml payers(String yaml) {
        this.payers = yaml;
        return this;
    }

    RulesYaml extra(String yaml) {
        this.extra = yaml;
        return this;
    }

    String text() {
        return site + chargeMaster + payers + extra;
    }

    RuleSet load() {
        return RuleSet.parse("rules.yaml", text());
    }
}
