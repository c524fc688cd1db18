package org.iepcharge.edge.mllp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DelimiterBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Cuts the byte stream at each end-of-block (FS) and hands the HL7 decoder one well-formed frame at a time, ending
 * FS CR. So a frame ending FS without CR is answered (the HL7 decoder alone waits for the CR forever), FS CR LF works,
 * and a frame whose payload (between SB and FS) exceeds {@code maxPayloadBytes} is refused before it is buffered
 * whole: the connection is closed, nothing is half-processed.
 */
final class MllpFrameSplitter extends DelimiterBasedFrameDecoder {
    static final byte SB = 0x0b;
    static final byte FS = 0x1c;
    static final byte CR = 0x0d;
    /** Bytes a frame may carry besides its payload: SB, and the CR LF a sender may leave after the previous FS. */
    private static final int FRAMING_SLACK = 3;

    private final int maxPayloadBytes;

    MllpFrameSplitter(int maxPayloadBytes) {
        super(maxPayloadBytes + FRAMING_SLACK, true, true, Unpooled.wrappedBuffer(new byte[] {FS}));
        this.maxPayloadBytes = maxPayloadBytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        if (org.iepcharge.ledger.AckStages.ENABLED) {
            ctx.pipeline().addFirst(new FrameStamps.ReplyStamp());
        }
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf buffer) throws Exception {
        ByteBuf frame = (ByteBuf) super.decode(ctx, buffer);
        if (frame == null) {
            return null;
        }
        int start = frame.readerIndex();
        int sb = frame.bytesBefore(SB);
        // Between frames only CR/LF (what a sender left after the previous FS) and whitespace may appear.
        for (int i = start; i < (sb < 0 ? frame.writerIndex() : start + sb); i++) {
            byte b = frame.getByte(i);
            if (b != CR && b != '\n' && b != ' ' && b != '\t') {
                frame.release();
                throw new MllpFramingException("bytes outside an MLLP frame");
            }
        }
        if (sb < 0) {
            // Only separators after the last frame: nothing to pass on.
            frame.release();
            return null;
        }
        int payload = frame.readableBytes() - sb - 1;
        if (payload > maxPayloadBytes) {
            frame.release();
            throw new TooLongFrameException("MLLP payload of " + payload + " bytes exceeds the limit of "
                    + maxPayloadBytes);
        }
        if (org.iepcharge.ledger.AckStages.ENABLED) {
            FrameStamps.decoded(ctx);
        }
        return Unpooled.wrappedBuffer(frame.skipBytes(sb), Unpooled.wrappedBuffer(new byte[] {FS, CR}));
    }
}
