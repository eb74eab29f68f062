package dev.procshare.memory;

/** A shared-memory operation failed; the message names the segment and what was wrong. */
public class SharedMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SharedMemoryException(String message) {
        super(message);
    }

    public SharedMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
