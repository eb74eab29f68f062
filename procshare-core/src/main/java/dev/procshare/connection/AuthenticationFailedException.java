package dev.procshare.connection;

import java.io.IOException;

/**
 * Python's {@code AuthenticationError}: the two sides of a {@link Listener}/{@link Client} connection do not
 * hold the same auth key, or the peer is not a procshare connection at all. Thrown on both sides; nothing
 * was deserialized and the socket is closed. (The manager's unchecked
 * {@code dev.procshare.manager.AuthenticationException} is the same failure for manager connections.)
 */
public class AuthenticationFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    public AuthenticationFailedException(String message) {
        super(message);
    }
}
