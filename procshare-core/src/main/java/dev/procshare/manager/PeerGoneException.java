package dev.procshare.manager;

/** The client a server thread waits for has disconnected; the wait is abandoned and nothing is replied. */
final class PeerGoneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PeerGoneException() {
        super("client disconnected during the call", null, false, false);
    }
}
