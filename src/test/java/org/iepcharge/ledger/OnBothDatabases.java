package org.iepcharge.ledger;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A ledger test run on SQLite and on PostgreSQL when one is configured ({@link TestDatabase#backends()}); the method
 * takes the {@link TestDatabase.Backend}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}")
@MethodSource("org.iepcharge.ledger.TestDatabase#backends")
@interface OnBothDatabases {
}
