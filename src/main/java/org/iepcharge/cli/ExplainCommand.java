package org.iepcharge.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.iepcharge.capture.CaptureAssembly;
import org.iepcharge.explain.Explainer;
import org.iepcharge.explain.FileMessage;
import org.iepcharge.explain.MessageFileReader;
import org.iepcharge.config.EngineSettings;
import org.iepcharge.config.SettingsException;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.ledger.Ledger;
import org.iepcharge.ledger.LedgerException;
import org.iepcharge.rules.RuleSet;
import org.iepcharge.rules.RulesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code explain FILE... [--rules F]}: the charge decision for a message or a sequence, rule by rule. */
@Command(name = "explain", description = {
        "Explain the charge decision for messages (sent in the order given: e.g. the order, then its result):",
        "lines, CPT, modifiers and holds, and rule by rule the inputs each rule saw, where they came from and",
        "the fact it rests on. Read-only: it replays against a scratch ledger, and when the engine's ledger",
        "holds the same messages it also shows what the engine did."})
final class ExplainCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "HL7 files or folders.")
    List<Path> files;

    @Option(names = "--rules", description = "Rules file to explain with (default: the engine's, iep.rules).")
    Path rulesFile;

    @Option(names = "--no-engine", description = "Do not look the messages up in the engine's ledger.")
    boolean noEngine;

    @Override
    public Integer call() {
        EngineSettings settings;
        RuleSet rules;
        List<FileMessage> messages = new ArrayList<>();
        try {
            settings = EngineSettings.fromEnvironment();
            rules = rulesFile != null ? RuleSet.load(rulesFile) : CaptureAssembly.rules(settings);
        } catch (SettingsException | RulesException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 2;
        }
        // A sequence is explained whole or not at all: a missing message would change the decision shown.
        MessageFileReader.Collected input = MessageFileReader.readAll(files);
        input.skipped().forEach(f -> spec.commandLine().getErr().println("note: skipped " + f + ": no MSH segment"));
        if (!input.problems().isEmpty() || input.messages().isEmpty()) {
            input.problems().forEach(e -> spec.commandLine().getErr().println("error: " + e.getMessage()));
            if (input.problems().isEmpty()) {
                spec.commandLine().getErr().println("error: no HL7 message found in " + files);
            }
            return 2;
        }
        messages.addAll(input.messages());
        Explainer explainer = new Explainer(settings, rules);
        Optional<JdbcLedger> engineLedger = noEngine ? Optional.empty() : openExisting(settings);
        try (CliLogging quiet = CliLogging.quiet("org.iepcharge", "org.flywaydb", "org.apache.camel")) {
            Explainer.Report report = explainer.report(messages, engineLedger.map(l -> (Ledger) l));
            spec.commandLine().getOut().print(explainer.render(report));
            // print() does not flush picocli's PrintWriter and main() ends with System.exit: without this, the tail
            // of a long explanation (beyond the writer's buffer) never reached stdout.
            spec.commandLine().getOut().flush();
            return 0;
        } catch (LedgerException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 2;
        } finally {
            engineLedger.ifPresent(JdbcLedger::close);
        }
    }

    /** The engine's ledger, only if it already exists: explain never creates one. */
    private Optional<JdbcLedger> openExisting(EngineSettings settings) {
        String url = settings.ledgerUrl();
        if (url.startsWith("jdbc:sqlite:")) {
            String path = url.substring("jdbc:sqlite:".length()).split("\\?")[0];
            if (path.startsWith("file:")) {
                path = path.substring("file:".length());
            }
            if (!Files.exists(Path.of(path))) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(settings.openLedger());
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("note: the engine's ledger could not be opened (" + e.getClass().getSimpleName()
                    + "); explaining from the rules only");
            return Optional.empty();
        }
    }
}
