package org.iepcharge.edge.mllp;

import io.netty.channel.ChannelHandler;
import org.apache.camel.component.netty.DefaultChannelHandlerFactory;

/** Registry bean for the netty consumer's {@code decoders}: a new {@link MllpFrameSplitter} per connection. */
public final class MllpFrameSplitterFactory extends DefaultChannelHandlerFactory {
    private final int maxPayloadBytes;

    public MllpFrameSplitterFactory(int maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
    }

    @Override
    public ChannelHandler newChannelHandler() {
        return new MllpFrameSplitter(maxPayloadBytes);
    }
}
