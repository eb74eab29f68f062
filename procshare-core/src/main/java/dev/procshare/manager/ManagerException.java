package dev.procshare.manager;

/**
 * A manager call that failed outside the called object: the server is unreachable or died, the connection
 * broke, a value could not be encoded or was refused. Subclasses say which. Unchecked, like the failures of
 * the {@code java.util} interfaces that proxies implement.
 */
public class ManagerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ManagerException(String message) {
        super(message);
    }

    public ManagerException(String message, Throwable cause) {
        super(message, cause);
    }
}
