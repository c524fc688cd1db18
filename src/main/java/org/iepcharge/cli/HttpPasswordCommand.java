package org.iepcharge.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import org.iepcharge.config.PasswordHash;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code http-password}: reads the console password from standard input (first line) and prints its hash, for
 * {@code iep.http.passwordHash} — so the properties file never holds the password itself.
 */
@Command(name = "http-password", description = {"Read the console password from standard input and print the value"
        + " for iep.http.passwordHash.", "Example: printf '%%s' \"$PW\" | iep http-password"})
final class HttpPasswordCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) {
            spec.commandLine().getErr().println("error: no password on standard input");
            return 2;
        }
        spec.commandLine().getOut().println(PasswordHash.hash(line.toCharArray()));
        return 0;
    }
}
