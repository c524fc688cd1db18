package org.iepcharge.cli;

import java.io.PrintWriter;

import org.iepcharge.config.EngineSettings;
import org.iepcharge.config.SettingsException;
import org.iepcharge.ledger.DurabilityException;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.rules.RulesException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the ledger commands ({@code outbox}, {@code holds}) share: the engine's own settings, its ledger opened beside a
 * running engine (SQLite in WAL mode: the command line reads while the engine writes, and a write waits for the
 * engine's current commit), and errors as one line with exit code 2 — never a stack trace.
 */
final class LedgerCommand {
    static final int EXIT_UNUSABLE = 2;

    interface Action {
        int run(EngineSettings settings, JdbcLedger ledger);
    }

    private LedgerCommand() {
    }

    static int withLedger(CommandSpec spec, Action action) {
        PrintWriter err = spec.commandLine().getErr();
        EngineSettings settings;
        try {
            settings = EngineSettings.fromEnvironment();
        } catch (SettingsException e) {
            err.println("error: " + e.getMessage());
            return EXIT_UNUSABLE;
        }
        JdbcLedger ledger;
        try (CliLogging quiet = CliLogging.quiet("org.flywaydb", "org.iepcharge.ledger")) {
            ledger = settings.openLedger();
        } catch (DurabilityException e) {
            err.println("error: " + e.getMessage());
            return EXIT_UNUSABLE;
        } catch (RuntimeException e) {
            err.println("error: cannot open the ledger " + shown(settings.ledgerUrl()) + " ("
                    + e.getClass().getSimpleName() + ")");
            return EXIT_UNUSABLE;
        }
        try (ledger; CliLogging quiet = CliLogging.quiet("org.apache.camel", "org.iepcharge")) {
            return action.run(settings, ledger);
        } catch (RulesException e) {
            err.println("error: " + e.getMessage());
            return EXIT_UNUSABLE;
        } catch (RuntimeException e) {
            err.println("error: ledger statement failed (" + e.getClass().getSimpleName() + ")");
            return EXIT_UNUSABLE;
        }
    }

    /** The URL without its options (a PostgreSQL URL may carry a password there). */
    static String shown(String url) {
        int cut = url.indexOf('?');
        return cut < 0 ? url : url.substring(0, cut);
    }
}
