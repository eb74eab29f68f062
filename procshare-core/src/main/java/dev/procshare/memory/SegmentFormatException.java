package dev.procshare.memory;

/**
 * A file exists under the segment's name but cannot be used as asked: it is not a procshare segment, it was
 * written by an incompatible version, it is truncated, or it holds another kind of object.
 */
public class SegmentFormatException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;

    public SegmentFormatException(String message) {
        super(message);
    }
}
