package dev.procshare.manager;

/**
 * The two sides of a manager connection do not hold the same auth key (or one side is not a procshare
 * manager at all). Nothing was deserialized; the connection is closed.
 */
public class AuthenticationException extends ManagerException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
