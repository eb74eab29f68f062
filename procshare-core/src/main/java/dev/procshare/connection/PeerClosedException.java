package dev.procshare.connection;

import java.io.EOFException;

/**
 * Python's {@code EOFError} from {@code Connection.recv()}: the other end closed, or its process died (the
 * kernel closes a dead process's sockets, so this comes at once), or the process that relayed a pipe end
 * died. Nothing more will arrive on this connection.
 */
public class PeerClosedException extends EOFException {
    private static final long serialVersionUID = 1L;

    public PeerClosedException(String message) {
        super(message);
    }

    PeerClosedException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }
}
