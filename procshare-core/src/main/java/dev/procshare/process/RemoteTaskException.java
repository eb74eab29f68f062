package dev.procshare.process;

/**
 * A task threw in a child JVM. The cause is the child's exception, with the child's stack trace; the
 * message names the process. Python's {@code RemoteError}.
 */
public class RemoteTaskException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RemoteTaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
