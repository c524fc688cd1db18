package org.iepcharge.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batching stderr appender writes every line the configuration before it (logback's AsyncAppender in front of a
 * ConsoleAppender with {@code %d{HH:mm:ss.SSS} …}) wrote, byte for byte and in the order each thread logged them, and
 * loses none when the context stops right after the last one.
 */
class StderrBatchAppenderTest {
    private static final int THREADS = 4;
    private static final int LINES = 5_000;

    private PrintStream stderr;

    @BeforeEach
    void keepStderr() {
        stderr = System.err;
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(stderr);
    }

    @Test
    void everyLineAsTheConfigurationBeforeWroteItNoneLostAtStop() throws Exception {
        ByteArrayOutputStream before = new ByteArrayOutputStream();
        ByteArrayOutputStream now = new ByteArrayOutputStream();
        LoggerContext old = PreviousLogging.start(before);
        LoggerContext current = engineConfiguration(now);
        // The same events, with fixed time stamps, through both: what each writes can be compared byte for byte.
        List<Thread> threads = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                await(go);
                for (int i = 0; i < LINES; i++) {
                    long stamp = 1_765_000_000_000L + thread * 7_919L + i * 37L;
                    log(old, thread, i, stamp);
                    log(current, thread, i, stamp);
                }
            }, "logging-" + t));
        }
        threads.forEach(Thread::start);
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        old.stop();
        current.stop(); // right after the last line: everything queued must still be written

        List<String> expected = before.toString(StandardCharsets.UTF_8).lines().toList();
        List<String> written = now.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(expected).hasSize(THREADS * LINES);
        assertThat(written).hasSize(THREADS * LINES);
        for (int t = 0; t < THREADS; t++) {
            String thread = "[logging-" + t + "]";
            assertThat(written.stream().filter(l -> l.contains(thread)).toList()).as("thread %s in its order", t)
                    .isEqualTo(expected.stream().filter(l -> l.contains(thread)).toList());
        }
        assertThat(written.get(0)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d INFO  \\[logging-\\d] "
                + "o\\.i\\.logging\\.StderrBatchAppenderTest - control \\d+ line \\d+ -> AA CHARGED");
    }

    @Test
    void aLineLoggedWhileTheWriterPausesIsWrittenWithinTheNextBatch() throws Exception {
        ByteArrayOutputStream now = new ByteArrayOutputStream();
        LoggerContext current = engineConfiguration(now);
        Logger logger = current.getLogger(StderrBatchAppenderTest.class);
        logger.info("first");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!now.toString(StandardCharsets.UTF_8).contains("first") && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        logger.info("second");
        while (!now.toString(StandardCharsets.UTF_8).contains("second") && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        // Written while the context still runs, not only by stop().
        assertThat(now.toString(StandardCharsets.UTF_8)).contains("first", "second");
        current.stop();
    }

    private static void log(LoggerContext context, int thread, int i, long stamp) {
        Logger logger = context.getLogger(StderrBatchAppenderTest.class);
        ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
                Logger.class.getName(), logger, ch.qos.logback.classic.Level.INFO, "control {} line {} -> AA CHARGED",
                null, new Object[] {thread, i});
        event.setTimeStamp(stamp);
        logger.callAppenders(event);
    }

    /** EngineLogging's configuration, its stderr captured into {@code out}. */
    private LoggerContext engineConfiguration(ByteArrayOutputStream out) {
        System.setErr(new PrintStream(out, false, StandardCharsets.UTF_8));
        LoggerContext context = PreviousLogging.newContext();
        EngineLogging logging = new EngineLogging();
        logging.setContext(context);
        logging.configure(context);
        return context;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
