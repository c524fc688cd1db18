package org.iepcharge.logging;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %time}: the event's local time of day as {@code HH:mm:ss.SSS}, the same text as {@code %d{HH:mm:ss.SSS}}.
 * logback's date converter caches its text per millisecond only, so at thousands of lines a second nearly every line
 * goes through {@code DateTimeFormatter}, whose fraction printer divides with {@code BigDecimal}: 19 % of the log
 * appender's CPU in the bench (BENCHMARKS.md, "LIS route thread, third pass"). Here the {@code HH:mm:ss.} part is made
 * once per second (in the JVM's default time zone, as logback's) and the milliseconds are appended.
 *
 * <p>Called by the one asynchronous writer thread only; the cached second is still published as one immutable
 * object so that a converter shared by several threads stays correct.
 */
public final class ClockTimeConverter extends ClassicConverter {
    /** One second's text. */
    private record Second(long epochSecond, ZoneId zone, String hms) {
    }

    /** Taken when the layout starts, as logback's date converter takes it. */
    private final ZoneId zone = ZoneId.systemDefault();
    private volatile Second second = new Second(Long.MIN_VALUE, null, "");

    @Override
    public String convert(ILoggingEvent event) {
        return format(event.getTimeStamp(), zone);
    }

    String format(long epochMillis, ZoneId zone) {
        long epochSecond = Math.floorDiv(epochMillis, 1000L);
        Second s = second;
        if (s.epochSecond() != epochSecond || !zone.equals(s.zone())) {
            LocalTime t = LocalTime.ofInstant(Instant.ofEpochSecond(epochSecond), zone);
            s = new Second(epochSecond, zone,
                    two(t.getHour()) + ':' + two(t.getMinute()) + ':' + two(t.getSecond()) + '.');
            second = s;
        }
        int millis = (int) Math.floorMod(epochMillis, 1000L);
        StringBuilder sb = new StringBuilder(12).append(s.hms());
        if (millis < 100) {
            sb.append('0');
        }
        if (millis < 10) {
            sb.append('0');
        }
        return sb.append(millis).toString();
    }

    private static String two(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }
}
