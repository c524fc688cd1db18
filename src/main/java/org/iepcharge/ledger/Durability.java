package org.iepcharge.ledger;

import java.util.Locale;

/**
 * What an acknowledged outcome survives ({@code iep.ledger.durability}). On SQLite the engine sets the matching
 * {@code synchronous} level on every connection; on PostgreSQL both need {@code synchronous_commit} on (the server's
 * own fsync decides the power-cut case, and the engine refuses a server that has it off).
 */
public enum Durability {
    /** Survives the death of the engine's process (SIGKILL, OOM kill): SQLite WAL with synchronous=NORMAL. */
    PROCESS(1),
    /** Survives a power cut or OS crash too, at the cost of an fsync per group commit: synchronous=FULL. */
    POWER(2);

    /** The weakest SQLite {@code PRAGMA synchronous} level (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA) that keeps it. */
    final int sqliteSynchronous;

    Durability(int sqliteSynchronous) {
        this.sqliteSynchronous = sqliteSynchronous;
    }

    /** {@code process} or {@code power}, any case; null when the text is neither. */
    public static Durability parse(String text) {
        for (Durability d : values()) {
            if (d.name().equalsIgnoreCase(text.strip())) {
                return d;
            }
        }
        return null;
    }

    /** The setting's own spelling. */
    public String settingValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
