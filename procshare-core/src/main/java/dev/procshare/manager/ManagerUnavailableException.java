package dev.procshare.manager;

/**
 * The manager server cannot be reached or died during the call: nothing listens at its address, or the
 * connection closed before the reply came. A call that was in flight may or may not have taken effect.
 */
public class ManagerUnavailableException extends ManagerException {
    private static final long serialVersionUID = 1L;

    public ManagerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
