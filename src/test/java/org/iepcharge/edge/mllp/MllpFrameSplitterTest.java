package org.iepcharge.edge.mllp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;

class MllpFrameSplitterTest {

    private static byte[] frame(String payload, String ending) {
        return ("\u000b" + payload + "\u001c" + ending).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String take(EmbeddedChannel channel) {
        ByteBuf out = channel.readInbound();
        try {
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    @Test
    void pipelinedFramesInOneWriteComeOutOneByOneReframedForTheHl7Decoder() {
        EmbeddedChannel channel = new EmbeddedChannel(new MllpFrameSplitter(1000));
        byte[] a = frame("MSH|A", "\r");
        byte[] b = frame("MSH|B", "\r\n");
        byte[] c = frame("MSH|C", "");
        ByteBuf all = Unpooled.wrappedBuffer(a, b, c);
        channel.writeInbound(all);
        assertThat(take(channel)).isEqualTo("\u000bMSH|A\u001c\r");
        assertThat(take(channel)).isEqualTo("\u000bMSH|B\u001c\r");
        assertThat(take(channel)).as("FS without CR still ends the frame").isEqualTo("\u000bMSH|C\u001c\r");
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void aFrameSplitAcrossReadsIsReassembled() {
        EmbeddedChannel channel = new EmbeddedChannel(new MllpFrameSplitter(1000));
        byte[] f = frame("MSH|SPLIT", "\r");
        channel.writeInbound(Unpooled.wrappedBuffer(f, 0, 4));
        assertThat((Object) channel.readInbound()).isNull();
        channel.writeInbound(Unpooled.wrappedBuffer(f, 4, f.length - 4));
        assertThat(take(channel)).isEqualTo("\u000bMSH|SPLIT\u001c\r");
    }

    @Test
    void payloadAtTheLimitPassesAndOneByteMoreIsRefused() {
        String atLimit = "M".repeat(100);
        EmbeddedChannel ok = new EmbeddedChannel(new MllpFrameSplitter(100));
        ok.writeInbound(Unpooled.wrappedBuffer(frame(atLimit, "\r")));
        assertThat(take(ok)).hasSize(100 + 3);

        EmbeddedChannel tooLong = new EmbeddedChannel(new MllpFrameSplitter(100));
        assertThatThrownBy(() -> tooLong.writeInbound(Unpooled.wrappedBuffer(frame(atLimit + "M", "\r"))))
                .isInstanceOf(TooLongFrameException.class);
    }

    @Test
    void aFrameThatNeverEndsIsRefusedBeforeItIsBufferedWhole() {
        EmbeddedChannel channel = new EmbeddedChannel(new MllpFrameSplitter(100));
        byte[] chunk = "\u000bMSH|".concat("X".repeat(200)).getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(chunk)))
                .isInstanceOf(TooLongFrameException.class);
    }

    @Test
    void bytesOutsideAFrameAreRefused() {
        EmbeddedChannel channel = new EmbeddedChannel(new MllpFrameSplitter(100));
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(
                "GET / HTTP/1.1\r\n\u001c".getBytes(StandardCharsets.ISO_8859_1))))
                .isInstanceOf(DecoderException.class);
    }
}
