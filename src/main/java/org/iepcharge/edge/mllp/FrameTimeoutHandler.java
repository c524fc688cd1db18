package org.iepcharge.edge.mllp;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a LIS connection on which nothing useful happened for the idle timeout: no complete frame came in and no
 * answer went out. It sits <em>after</em> the frame splitter, so it sees whole frames only — a sender trickling a frame
 * a byte at a time, or one that starts a frame and never ends it, makes no progress here and is closed like an idle
 * one (netty's {@code ReadTimeoutHandler} ahead of the splitter counted every byte as activity, so such a sender held
 * the connection, and a slot of {@code iep.inbound.maxConnections}, for ever).
 *
 * <p>While a frame is being processed (received, not yet answered) the connection is not idle: the engine is working
 * for the sender. The deadline then grows to at least {@link #MAX_ANSWER_SECONDS}, the longest an answer can take (the
 * ledger's commit wait and queue wait, 30 s each), so a connection whose last frame is never answered (an inbound ACK)
 * is still closed eventually.
 */
final class FrameTimeoutHandler extends ChannelDuplexHandler {
    static final long MAX_ANSWER_SECONDS = 120;
    private static final Logger LOG = LoggerFactory.getLogger(FrameTimeoutHandler.class);

    private final long idleNanos;
    private long lastActivity;
    private int pending;
    private ScheduledFuture<?> check;

    FrameTimeoutHandler(long idleSeconds) {
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        // Only whole frames get here (the splitter is ahead of this handler).
        lastActivity = System.nanoTime();
        pending++;
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        lastActivity = System.nanoTime();
        if (pending > 0) {
            pending--;
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void start(ChannelHandlerContext ctx) {
        if (check != null) {
            return;
        }
        lastActivity = System.nanoTime();
        schedule(ctx, idleNanos);
    }

    private void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        check = ctx.executor().schedule(() -> check(ctx), Math.max(delayNanos, 1_000_000), TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isOpen()) {
            return;
        }
        long allowed = pending > 0 ? Math.max(idleNanos, TimeUnit.SECONDS.toNanos(MAX_ANSWER_SECONDS)) : idleNanos;
        long left = lastActivity + allowed - System.nanoTime();
        if (left > 0) {
            schedule(ctx, left);
            return;
        }
        LOG.info("LIS connection from {} closed: no complete frame for {} s", ctx.channel().remoteAddress(),
                TimeUnit.NANOSECONDS.toSeconds(allowed));
        check = null;
        ctx.close();
    }
}
