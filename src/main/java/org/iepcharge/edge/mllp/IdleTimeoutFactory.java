package org.iepcharge.edge.mllp;

import io.netty.channel.ChannelHandler;
import org.apache.camel.component.netty.DefaultChannelHandlerFactory;

/**
 * Registry bean for the netty consumer's {@code decoders}, listed <em>after</em> the frame splitter: a new
 * {@link FrameTimeoutHandler} per connection, closing one on which no complete frame arrived (and no answer left) for
 * the idle timeout — idle, or trickling a frame byte by byte (camel-netty has no consumer read timeout).
 */
public final class IdleTimeoutFactory extends DefaultChannelHandlerFactory {
    private final long idleSeconds;

    public IdleTimeoutFactory(long idleSeconds) {
        this.idleSeconds = idleSeconds;
    }

    @Override
    public ChannelHandler newChannelHandler() {
        return new FrameTimeoutHandler(idleSeconds);
    }
}
