package org.iepcharge.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordHashTest {
    @Test
    void aHashMatchesItsPasswordOnlyAndNeverContainsIt() {
        String hash = PasswordHash.hash("tr0ub4dor".toCharArray());
        assertThat(hash).startsWith("pbkdf2-sha256$").doesNotContain("tr0ub4dor");
        assertThat(PasswordHash.isWellFormed(hash)).isTrue();
        assertThat(PasswordHash.matches("tr0ub4dor".toCharArray(), hash)).isTrue();
        assertThat(PasswordHash.matches("tr0ub4dor ".toCharArray(), hash)).isFalse();
        assertThat(PasswordHash.hash("tr0ub4dor".toCharArray())).isNotEqualTo(hash);
        assertThat(PasswordHash.matches("x".toCharArray(), "not-a-hash")).isFalse();
    }

    @Test
    void settingsKeepTheHashNotThePasswordAndNeverPrintIt() {
        EngineSettings s = EngineSettings.resolve(Map.of("iep.http.password", "s3cret-value", "iep.http.port",
                "9123"), Map.of());
        assertThat(s.http().enabled()).isTrue();
        assertThat(s.http().host()).isEqualTo("127.0.0.1");
        assertThat(s.http().port()).isEqualTo(9123);
        assertThat(s.http().user()).isEqualTo("admin");
        assertThat(s.http().passwordHash()).doesNotContain("s3cret-value");
        assertThat(PasswordHash.matches("s3cret-value".toCharArray(), s.http().passwordHash())).isTrue();
        assertThat(s.toString() + s.http()).doesNotContain("s3cret-value");
        assertThat(s.http().locked()).isFalse();

        EngineSettings defaults = EngineSettings.resolve(Map.of(), Map.of());
        assertThat(defaults.http().port()).isEqualTo(8575);
        assertThat(defaults.http().locked()).isTrue();

        String hash = PasswordHash.hash("abc".toCharArray());
        assertThat(PasswordHash.matches("abc".toCharArray(),
                EngineSettings.resolve(Map.of("iep.http.passwordHash", hash), Map.of()).http().passwordHash()))
                .isTrue();
        assertThatThrownBy(() -> EngineSettings.resolve(Map.of("iep.http.passwordHash", "abc"), Map.of()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("iep.http.passwordHash");
        assertThatThrownBy(() -> EngineSettings.resolve(Map.of("iep.http.port", "70000"), Map.of()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("iep.http.port");
    }
}
