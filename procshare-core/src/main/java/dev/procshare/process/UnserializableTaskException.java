package dev.procshare.process;

/**
 * A task cannot be sent to another JVM because something it captures is not serializable. Thrown by
 * {@code start()} and {@code submit()}, in the caller's process, before anything is started.
 */
public class UnserializableTaskException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnserializableTaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
