package dev.procshare.connection;

import java.io.StreamCorruptedException;

/**
 * What arrived is not a frame this side accepts: a length beyond the limit ({@code recvBytes(maxLength)}, or
 * the handshake's few hundred bytes), or bytes that {@code recv()} cannot decode as a value sent with
 * {@code send()}. The message names the peer and the frame. A frame over the limit is not read, and the
 * connection is closed (what follows it cannot be trusted to be a frame boundary).
 */
public class BadFrameException extends StreamCorruptedException {
    private static final long serialVersionUID = 1L;

    public BadFrameException(String message) {
        super(message);
    }

    BadFrameException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }
}
