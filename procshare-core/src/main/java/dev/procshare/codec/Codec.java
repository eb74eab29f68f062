package dev.procshare.codec;

import java.io.IOException;

/**
 * Turns values into bytes for another process and back. procshare's channels use one; the default is
 * {@link FastCodec}.
 */
public interface Codec {
    /**
     * @throws java.io.NotSerializableException if the value (or something in it) cannot be encoded
     */
    byte[] encode(Object value) throws IOException;

    /**
     * @throws IOException if the bytes are not a value this codec wrote (the message says why)
     * @throws ClassNotFoundException if the bytes name a class this JVM does not have
     */
    Object decode(byte[] bytes) throws IOException, ClassNotFoundException;
}
