package org.iepcharge.edge.mllp;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.apache.camel.component.netty.DefaultChannelHandlerFactory;

/** Closes a LIS connection that sends nothing for the idle timeout (camel-netty has no consumer read timeout). */
public final class IdleTimeoutFactory extends DefaultChannelHandlerFactory {
    private final long idleSeconds;

    public IdleTimeoutFactory(long idleSeconds) {
        this.idleSeconds = idleSeconds;
    }

    @Override
    public ChannelHandler newChannelHandler() {
        return new ReadTimeoutHandler(idleSeconds, TimeUnit.SECONDS);
    }
}
