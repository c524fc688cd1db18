package org.iepcharge.ledger;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A ledger test of what only PostgreSQL does for several nodes (advisory locks, SKIP LOCKED): run when PostgreSQL is
 * configured or required ({@link TestDatabase#backends()}), absent otherwise — never started and then skipped.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}", allowZeroInvocations = true)
@MethodSource("org.iepcharge.ledger.OnPostgres$Backends#postgres")
@interface OnPostgres {

    final class Backends {
        private Backends() {
        }

        static Stream<TestDatabase.Backend> postgres() {
            return TestDatabase.backends().filter(b -> b == TestDatabase.Backend.POSTGRESQL);
        }
    }
}
