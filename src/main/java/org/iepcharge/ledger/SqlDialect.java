package org.iepcharge.ledger;

/** The two databases the migrations run on, and the one statement they spell differently. */
enum SqlDialect {
    H2 {
        @Override
        String nextValue(String sequence) {
            return "SELECT NEXT VALUE FOR " + sequence;
        }
    },
    POSTGRESQL {
        @Override
        String nextValue(String sequence) {
            return "SELECT nextval('" + sequence + "')";
        }
    };

    abstract String nextValue(String sequence);

    static SqlDialect of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("iep.ledger.url must be a jdbc:h2: or jdbc:postgresql: URL");
    }
}
