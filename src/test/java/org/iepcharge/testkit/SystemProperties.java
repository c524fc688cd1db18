package org.iepcharge.testkit;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * System properties a test sets for the command line (which reads its settings from them), put back as they were
 * after each test. Use with {@code @RegisterExtension final SystemProperties properties = new SystemProperties();}.
 */
public final class SystemProperties implements AfterEachCallback {

    private final Map<String, String> saved = new HashMap<>();

    public void set(String key, String value) {
        // Not putIfAbsent: a key first seen unset maps to null, which putIfAbsent would overwrite on a second set.
        if (!saved.containsKey(key)) {
            saved.put(key, System.getProperty(key));
        }
        System.setProperty(key, value);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        saved.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
        saved.clear();
    }
}
