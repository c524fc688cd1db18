package org.iepcharge.logging;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;

/**
 * The engine's console log: events queued by the logging threads, written to {@link System#err} by one thread of its
 * own — so an ACK never waits for the console — and written in batches: everything queued is encoded into one buffer
 * and handed to stderr in one write, then the writer pauses {@code lingerMillis} to let the next lines gather.
 *
 * <p>Why not logback's AsyncAppender in front of its ConsoleAppender (the configuration before): its worker wakes for
 * every event (a futex wake on the logging thread, a futex wait on the worker) and the console appender writes and
 * flushes each line on its own (System.err autoflushes: one write system call per line). At the bench's 4,400 lines a
 * second that was most of the 25 µs of CPU per message the log cost (BENCHMARKS.md, "LIS route thread, third pass").
 * While the writer pauses, a logging thread only puts its event in the queue; nobody needs waking.
 *
 * <p>The same promises as before: nothing is dropped — a full queue makes the logging thread wait, as
 * AsyncAppender with {@code discardingThreshold 0} did — and {@link #stop()} writes everything still queued before
 * it returns ({@code run} stops the logging context after the engine's last line). Lines reach stderr at most
 * {@code lingerMillis} after they are logged. Each batch goes to whatever {@code System.err} is at that moment, as
 * logback's ConsoleAppender looked it up per write.
 */
public final class StderrBatchAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    static final int DEFAULT_QUEUE_SIZE = 8192;
    static final int DEFAULT_LINGER_MILLIS = 5;
    /** A batch is handed to stderr once it holds this much, whatever is still queued. */
    private static final int WRITE_AT_BYTES = 64 * 1024;
    /** How long {@link #stop()} waits for the writer to empty the queue, as AsyncAppender's maxFlushTime. */
    private static final long STOP_WAIT_MILLIS = 1000;

    private Encoder<ILoggingEvent> encoder;
    private int queueSize = DEFAULT_QUEUE_SIZE;
    private int lingerMillis = DEFAULT_LINGER_MILLIS;
    private BlockingQueue<ILoggingEvent> queue;
    private Thread writer;

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    public Encoder<ILoggingEvent> getEncoder() {
        return encoder;
    }

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    public int getQueueSize() {
        return queueSize;
    }

    public void setLingerMillis(int lingerMillis) {
        this.lingerMillis = lingerMillis;
    }

    public int getLingerMillis() {
        return lingerMillis;
    }

    @Override
    public void start() {
        if (isStarted()) {
            return;
        }
        if (encoder == null) {
            addError("No encoder set for the appender named [" + name + "].");
            return;
        }
        if (queueSize < 1) {
            addError("Invalid queue size [" + queueSize + "]");
            return;
        }
        queue = new ArrayBlockingQueue<>(queueSize);
        writer = new Thread(this::writeUntilStopped, "log-writer-" + name);
        writer.setDaemon(true);
        super.start();
        writer.start();
    }

    /** On the logging thread: fix what the event's text needs (message, thread name, MDC) and queue it. */
    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(event);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // keep the event; the caller's interrupt is restored below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        writer.interrupt();
        try {
            writer.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            addWarn("The log writer did not finish within " + STOP_WAIT_MILLIS + " ms; " + queue.size()
                    + " lines may be lost");
        }
        encoder.stop();
    }

    private void writeUntilStopped() {
        List<ILoggingEvent> batch = new ArrayList<>();
        Buffer buffer = new Buffer();
        while (isStarted()) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break; // stop(): the rest is written below
            }
            queue.drainTo(batch);
            write(batch, buffer);
            if (lingerMillis > 0) {
                // Returns at once when stop() interrupts.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(lingerMillis));
            }
        }
        queue.drainTo(batch);
        write(batch, buffer);
    }

    private void write(List<ILoggingEvent> batch, Buffer buffer) {
        for (ILoggingEvent event : batch) {
            try {
                buffer.writeBytes(encoder.encode(event));
            } catch (RuntimeException e) {
                addError("Could not encode a log event", e);
            }
            if (buffer.size() >= WRITE_AT_BYTES) {
                flush(buffer);
            }
        }
        batch.clear();
        flush(buffer);
    }

    private static void flush(Buffer buffer) {
        if (buffer.size() > 0) {
            buffer.writeTo(System.err);
            buffer.reset();
        }
    }

    /** The batch's bytes, handed to stderr without a copy. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(WRITE_AT_BYTES);
        }

        void writeTo(PrintStream err) {
            err.write(buf, 0, count);
            err.flush();
        }
    }
}
