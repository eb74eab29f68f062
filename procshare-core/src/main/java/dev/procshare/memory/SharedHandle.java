package dev.procshare.memory;

import java.io.Serializable;

/**
 * Anything in shared memory that can be handed to another process: serializing it writes a small descriptor,
 * and deserializing that descriptor in another JVM attaches to the same memory.
 *
 * <p>{@link #close()} is idempotent. In the process that created the object it frees the memory (other
 * processes still holding handles then work on memory no one else sees); anywhere else it only lets go of
 * this process's mapping. Any use after close throws {@link SegmentClosedException}.
 */
public interface SharedHandle extends Serializable, AutoCloseable {
    /** Whether {@link #close()} was called on this handle. */
    boolean isClosed();

    @Override
    void close();
}
