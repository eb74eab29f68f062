package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serializable;

/**
 * Anything in shared memory that can be handed to another process: serializing it writes a small descriptor,
 * and deserializing that descriptor in another JVM attaches to the same memory.
 *
 * <p>{@link #close()} is idempotent. In the process that created the object it frees the memory (other
 * processes still holding handles then work on memory no one else sees); anywhere else it only lets go of
 * this process's mapping. Any use after close throws {@link SegmentClosedException}.
 *
 * <p>What travels is the segment's directory and name, the kind and the offset: by Java serialization, and
 * as a {@link Portable} descriptor ({@link #portable()}) where procshare's own codec carries it, which a
 * fresh JVM decodes without setting up Java serialization at all. A closed handle cannot be sent.
 */
public interface SharedHandle extends Serializable, AutoCloseable, Portable.Replaced {
    /** Whether {@link #close()} was called on this handle. */
    boolean isClosed();

    @Override
    void close();
}
