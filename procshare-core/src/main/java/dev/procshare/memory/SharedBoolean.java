package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;

/**
 * A {@code boolean} in shared memory: the cross-process {@link java.util.concurrent.atomic.AtomicBoolean}
 * and Python's {@code multiprocessing.Value(c_bool, False)}, the flag a child sets for its parent to see.
 *
 * <p><b>Memory semantics.</b> {@link #get()} and {@link #set} are volatile in every process: once
 * {@code set(true)} returns in one process, every later {@code get()} in any process returns {@code true}, and
 * also sees every write the setter made before it.
 *
 * <p><b>Across processes.</b> Serializable as a descriptor that attaches to the same memory; owned and freed
 * by its creator as described in {@link SharedHandle}.
 */
public final class SharedBoolean implements SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Slot slot;

    SharedBoolean(Slot slot) {
        this.slot = slot;
    }

    /** A new shared flag holding {@code initialValue}, owned by this process. */
    public static SharedBoolean create(boolean initialValue) {
        SharedBoolean value = new SharedBoolean(Slabs.allocate(Segments.defaultDirectory(), SlotType.BOOLEAN));
        value.set(initialValue);
        return value;
    }

    /** A new shared flag, false. */
    public static SharedBoolean create() {
        return create(false);
    }

    private static int bit(boolean b) {
        return b ? 1 : 0;
    }

    /** Volatile read. */
    public boolean get() {
        return (int) Slot.INTS.getVolatile(slot.buffer(), slot.offset) != 0;
    }

    /** Acquire read. */
    public boolean getAcquire() {
        return (int) Slot.INTS.getAcquire(slot.buffer(), slot.offset) != 0;
    }

    /** Volatile write. */
    public void set(boolean newValue) {
        Slot.INTS.setVolatile(slot.buffer(), slot.offset, bit(newValue));
    }

    /** Release write. */
    public void setRelease(boolean newValue) {
        Slot.INTS.setRelease(slot.buffer(), slot.offset, bit(newValue));
    }

    /** Same as {@link #setRelease}. */
    public void lazySet(boolean newValue) {
        setRelease(newValue);
    }

    public boolean getAndSet(boolean newValue) {
        return (int) Slot.INTS.getAndSet(slot.buffer(), slot.offset, bit(newValue)) != 0;
    }

    public boolean compareAndSet(boolean expectedValue, boolean newValue) {
        return Slot.INTS.compareAndSet(slot.buffer(), slot.offset, bit(expectedValue), bit(newValue));
    }

    @Override
    public boolean isClosed() {
        return slot.isClosed();
    }

    @Override
    public void close() {
        slot.close();
    }

    /** The handle that travels in this one's place: what serializing this writes, too. */
    @Override
    public Portable portable() {
        slot.buffer();
        return slot.handle();
    }

    @Serial
    private Object writeReplace() {
        return portable();
    }

    @Override
    public String toString() {
        return "SharedBoolean[" + (slot.isClosed() ? "" : get() + ", ") + slot.describe() + "]";
    }
}
