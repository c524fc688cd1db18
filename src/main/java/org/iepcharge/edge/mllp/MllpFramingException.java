package org.iepcharge.edge.mllp;

import io.netty.handler.codec.DecoderException;

/** A byte stream that is not MLLP: the connection is closed (the message text never quotes content). */
final class MllpFramingException extends DecoderException {
    MllpFramingException(String message) {
        super(message);
    }
}
