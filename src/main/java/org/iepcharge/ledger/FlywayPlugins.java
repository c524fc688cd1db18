package org.iepcharge.ledger;

import org.flywaydb.core.internal.plugin.PluginRegister;

/**
 * The plugin register of one ledger's Flyway, handed on instead of copied. Flyway 11.14 copies the register of the
 * configuration it is given in {@code new Flyway(configuration)} (and again per environment), and copies each
 * configuration plugin by writing it to JSON and reading it back with a new Jackson {@code ObjectMapper} (nine of
 * the 35 plugins in flyway-core and flyway-database-postgresql, three of them stubs of paid features). The copy keeps one
 * configuration's plugin settings from leaking into another's; the ledger sets none, and makes a new register for
 * each Flyway it builds ({@link JdbcLedger#schemaMigration}), so no two Flyway instances share plugins either. What
 * Flyway does with the plugins — which database types, resolvers and callbacks apply — is unchanged: the same
 * {@code ServiceLoader} discovery, on first use.
 *
 * <p>Measured (BENCHMARKS.md, "Start-up to listening, third pass"): the copies took 0.35–0.39 s of CPU on the ledger's
 * start-up thread before the LIS listened and loaded ≈ 570 Jackson classes (≈ 380 of them are still loaded, by the
 * console's and camel-micrometer's mappers). {@code PluginRegister} lives in
 * Flyway's internal package; {@code LedgerMigrationTest} holds what the ledger relies on (migrate a new ledger,
 * validate an existing one's checksums) if an upgrade changes it.
 */
final class FlywayPlugins extends PluginRegister {
    @Override
    public PluginRegister getCopy() {
        return this;
    }
}
