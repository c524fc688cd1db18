package org.iepcharge.edge.mllp;

import java.util.concurrent.ConcurrentLinkedQueue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import org.iepcharge.ledger.AckStages;

/**
 * The netty ends of {@link AckStages} (only with {@code -Diep.debug.ackStages=true}): the time each frame was cut by
 * {@link MllpFrameSplitter}, and the time its ACK reached the socket. A connection's frames are answered in order
 * (pipelining), so a queue per connection pairs each ACK with its frame: the route reads the head, the write takes it.
 */
public final class FrameStamps {
    /** Per frame: {decoded, ACK built}. */
    private static final AttributeKey<ConcurrentLinkedQueue<long[]>> KEY = AttributeKey.valueOf("iepFrameStamps");

    private FrameStamps() {
    }

    static void decoded(ChannelHandlerContext ctx) {
        queue(ctx.channel()).add(new long[] {System.nanoTime(), 0});
    }

    /** The oldest unanswered frame of the connection (the one being processed), or null. */
    public static long[] current(Channel channel) {
        return queue(channel).peek();
    }

    /** A frame that gets no reply (an ACK sent to us): its stamps are dropped. */
    public static void unanswered(Channel channel) {
        queue(channel).poll();
    }

    private static ConcurrentLinkedQueue<long[]> queue(Channel channel) {
        ConcurrentLinkedQueue<long[]> q = channel.attr(KEY).get();
        if (q == null) {
            channel.attr(KEY).setIfAbsent(new ConcurrentLinkedQueue<>());
            q = channel.attr(KEY).get();
        }
        return q;
    }

    /** First in the pipeline, so last on the way out: sees each reply as it goes to the socket. */
    static final class ReplyStamp extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            long[] s = queue(ctx.channel()).poll();
            if (s != null && s[1] != 0) {
                long now = System.nanoTime();
                AckStages.record(AckStages.Stage.REPLY, now - s[1]);
                AckStages.record(AckStages.Stage.TOTAL, now - s[0]);
            }
            super.write(ctx, msg, promise);
        }
    }
}
