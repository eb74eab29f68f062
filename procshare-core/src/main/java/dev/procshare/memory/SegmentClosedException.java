package dev.procshare.memory;

/** A handle was used after {@code close()}. Other handles on the same memory are not affected. */
public class SegmentClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public SegmentClosedException(String message) {
        super(message);
    }
}
