package org.iepcharge.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** {@code %time} writes what {@code %d{HH:mm:ss.SSS}} writes (the same DateTimeFormatter pattern logback uses). */
class ClockTimeConverterTest {

    @Test
    void writesWhatTheDatePatternWrites() {
        List<Long> instants = new ArrayList<>(List.of(0L, 999L, 1_000L, 59_999L, 86_399_999L, -1L, -1_001L,
                Instant.parse("2026-03-29T00:59:59.999Z").toEpochMilli(), // Europe/Berlin: 01:59:59.999 CET
                Instant.parse("2026-03-29T01:00:00.000Z").toEpochMilli(), // … then 03:00:00.000 CEST
                Instant.parse("2026-10-25T00:59:59.999Z").toEpochMilli(),
                Instant.parse("2026-10-25T01:00:00.001Z").toEpochMilli()));
        Random random = new Random(9);
        for (int i = 0; i < 20_000; i++) {
            instants.add(1_700_000_000_000L + random.nextLong(200_000_000_000L));
        }
        // Neighbouring instants reuse the cached second, so the cache is checked too.
        instants.sort(null);
        for (String zoneName : List.of("UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata")) {
            ZoneId zone = ZoneId.of(zoneName);
            DateTimeFormatter logback = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(zone);
            ClockTimeConverter converter = new ClockTimeConverter();
            for (long millis : instants) {
                assertThat(converter.format(millis, zone)).as("%s in %s", millis, zoneName)
                        .isEqualTo(logback.format(Instant.ofEpochMilli(millis)));
            }
        }
    }
}
