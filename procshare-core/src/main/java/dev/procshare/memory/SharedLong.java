package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * A {@code long} in shared memory that every process holding this handle reads and updates atomically: the
 * cross-process {@link java.util.concurrent.atomic.AtomicLong}, and procshare's answer to Python's
 * {@code multiprocessing.Value('q')} (no lock needed: every update below is one atomic instruction or a
 * compare-and-set loop).
 *
 * <p><b>Memory semantics.</b> Unless a method says otherwise, reads and writes are volatile: a write by any
 * thread of any process is visible to every later read in every process, and orders the writes before it, as
 * {@code AtomicLong} does within one JVM. The update functions of {@link #updateAndGet} and friends may run
 * more than once under contention and must be free of side effects.
 *
 * <p><b>Across processes.</b> The handle is {@link java.io.Serializable} as a small descriptor; passing it to a
 * child process (as a captured variable of a task) attaches the child to the same eight bytes. The process
 * that {@linkplain #create created} it owns it: its {@link #close()} frees the value, and when it exits its
 * values go with it. A process that dies in the middle of an update leaves either the old or the new value,
 * never a torn one.
 */
public final class SharedLong extends Number implements SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Slot slot;

    SharedLong(Slot slot) {
        this.slot = slot;
    }

    /** A new shared long, 0. */
    public static SharedLong create() {
        return create(0L);
    }

    /** A new shared long holding {@code initialValue}, owned by this process. */
    public static SharedLong create(long initialValue) {
        SharedLong value = new SharedLong(Slabs.allocate(Segments.defaultDirectory(), SlotType.LONG));
        value.set(initialValue);
        return value;
    }

    /** Volatile read. */
    public long get() {
        return (long) Slot.LONGS.getVolatile(slot.buffer(), slot.offset);
    }

    /** Acquire read: sees every write that preceded a release write of the value read. */
    public long getAcquire() {
        return (long) Slot.LONGS.getAcquire(slot.buffer(), slot.offset);
    }

    /** Volatile write. */
    public void set(long newValue) {
        Slot.LONGS.setVolatile(slot.buffer(), slot.offset, newValue);
    }

    /** Release write: cheaper than {@link #set}; other processes see it soon, after the writes before it. */
    public void setRelease(long newValue) {
        Slot.LONGS.setRelease(slot.buffer(), slot.offset, newValue);
    }

    /** Same as {@link #setRelease}, under {@code AtomicLong}'s older name. */
    public void lazySet(long newValue) {
        setRelease(newValue);
    }

    public long getAndSet(long newValue) {
        return (long) Slot.LONGS.getAndSet(slot.buffer(), slot.offset, newValue);
    }

    /** Atomically sets the value to {@code newValue} if it is {@code expectedValue}; returns whether it did. */
    public boolean compareAndSet(long expectedValue, long newValue) {
        return Slot.LONGS.compareAndSet(slot.buffer(), slot.offset, expectedValue, newValue);
    }

    /** Like {@link #compareAndSet} but may fail spuriously; for retry loops. */
    public boolean weakCompareAndSetVolatile(long expectedValue, long newValue) {
        return Slot.LONGS.weakCompareAndSet(slot.buffer(), slot.offset, expectedValue, newValue);
    }

    /** Returns the old value and adds {@code delta} in one atomic step. */
    public long getAndAdd(long delta) {
        return (long) Slot.LONGS.getAndAdd(slot.buffer(), slot.offset, delta);
    }

    public long addAndGet(long delta) {
        return getAndAdd(delta) + delta;
    }

    public long getAndIncrement() {
        return getAndAdd(1);
    }

    public long getAndDecrement() {
        return getAndAdd(-1);
    }

    public long incrementAndGet() {
        return getAndAdd(1) + 1;
    }

    public long decrementAndGet() {
        return getAndAdd(-1) - 1;
    }

    /** Applies {@code update} atomically (compare-and-set loop) and returns the previous value. */
    public long getAndUpdate(LongUnaryOperator update) {
        long prev = get();
        for (;;) {
            long next = update.applyAsLong(prev);
            long witness = (long) Slot.LONGS.compareAndExchange(slot.buffer(), slot.offset, prev, next);
            if (witness == prev) {
                return prev;
            }
            prev = witness;
        }
    }

    /** Applies {@code update} atomically (compare-and-set loop) and returns the new value. */
    public long updateAndGet(LongUnaryOperator update) {
        long prev = get();
        for (;;) {
            long next = update.applyAsLong(prev);
            long witness = (long) Slot.LONGS.compareAndExchange(slot.buffer(), slot.offset, prev, next);
            if (witness == prev) {
                return next;
            }
            prev = witness;
        }
    }

    public long getAndAccumulate(long x, LongBinaryOperator accumulator) {
        return getAndUpdate(v -> accumulator.applyAsLong(v, x));
    }

    public long accumulateAndGet(long x, LongBinaryOperator accumulator) {
        return updateAndGet(v -> accumulator.applyAsLong(v, x));
    }

    @Override
    public int intValue() {
        return (int) get();
    }

    @Override
    public long longValue() {
        return get();
    }

    @Override
    public float floatValue() {
        return get();
    }

    @Override
    public double doubleValue() {
        return get();
    }

    @Override
    public boolean isClosed() {
        return slot.isClosed();
    }

    @Override
    public void close() {
        slot.close();
    }

    /** The descriptor this handle serializes as. */
    Handle handle() {
        return slot.handle();
    }

    /** The handle that travels in this one's place: what serializing this writes, too. */
    @Override
    public Portable portable() {
        slot.buffer(); // a closed handle cannot be sent
        return slot.handle();
    }

    @Serial
    private Object writeReplace() {
        return portable();
    }

    /** The value and where it lives, e.g. {@code SharedLong[42, segment=p123-ab, offset=192, owner]}. */
    @Override
    public String toString() {
        return "SharedLong[" + (slot.isClosed() ? "" : get() + ", ") + slot.describe() + "]";
    }
}
