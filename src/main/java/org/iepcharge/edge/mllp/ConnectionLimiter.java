package org.iepcharge.edge.mllp;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.apache.camel.component.netty.ChannelHandlerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Caps concurrent LIS connections (camel-netty has no cap): one over the limit is closed at once. */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter implements ChannelHandlerFactory {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);

    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();

    public ConnectionLimiter(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    @Override
    public ChannelHandler newChannelHandler() {
        return this;
    }

    public int openConnections() {
        return open.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (open.incrementAndGet() > maxConnections) {
            LOG.warn("LIS connection refused: {} open, limit {}", open.get() - 1, maxConnections);
            ctx.close();
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        open.decrementAndGet();
        super.channelInactive(ctx);
    }
}
