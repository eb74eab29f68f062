package dev.procshare.memory;

/** No segment of that name exists (never created, or already unlinked by its owner or by a cleanup). */
public class SegmentNotFoundException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;

    public SegmentNotFoundException(String message) {
        super(message);
    }
}
