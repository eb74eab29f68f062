package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;

/**
 * An {@code int} in shared memory that every process holding this handle reads and updates atomically: the
 * cross-process {@link java.util.concurrent.atomic.AtomicInteger}, and procshare's answer to Python's
 * {@code multiprocessing.Value('i')} (no lock needed: every update below is one atomic instruction or a
 * compare-and-set loop).
 *
 * <p><b>Memory semantics.</b> Unless a method says otherwise, reads and writes are volatile: a write by any
 * thread of any process is visible to every later read in every process, and orders the writes before it, as
 * {@code AtomicInteger} does within one JVM. The update functions of {@link #updateAndGet} and friends may run
 * more than once under contention and must be free of side effects.
 *
 * <p><b>Across processes.</b> The handle is {@link java.io.Serializable} as a small descriptor; passing it to a
 * child process (as a captured variable of a task) attaches the child to the same four bytes. The process
 * that {@linkplain #create created} it owns it: its {@link #close()} frees the value, and when it exits its
 * values go with it. A process that dies in the middle of an update leaves either the old or the new value,
 * never a torn one.
 */
public final class SharedInt extends Number implements SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Slot slot;

    SharedInt(Slot slot) {
        this.slot = slot;
    }

    /** A new shared int, 0. */
    public static SharedInt create() {
        return create(0);
    }

    /** A new shared int holding {@code initialValue}, owned by this process. */
    public static SharedInt create(int initialValue) {
        SharedInt value = new SharedInt(Slabs.allocate(Segments.defaultDirectory(), SlotType.INT));
        value.set(initialValue);
        return value;
    }

    /** Volatile read. */
    public int get() {
        return (int) Slot.INTS.getVolatile(slot.buffer(), slot.offset);
    }

    /** Acquire read: sees every write that preceded a release write of the value read. */
    public int getAcquire() {
        return (int) Slot.INTS.getAcquire(slot.buffer(), slot.offset);
    }

    /** Volatile write. */
    public void set(int newValue) {
        Slot.INTS.setVolatile(slot.buffer(), slot.offset, newValue);
    }

    /** Release write: cheaper than {@link #set}; other processes see it soon, after the writes before it. */
    public void setRelease(int newValue) {
        Slot.INTS.setRelease(slot.buffer(), slot.offset, newValue);
    }

    /** Same as {@link #setRelease}, under {@code AtomicInteger}'s older name. */
    public void lazySet(int newValue) {
        setRelease(newValue);
    }

    public int getAndSet(int newValue) {
        return (int) Slot.INTS.getAndSet(slot.buffer(), slot.offset, newValue);
    }

    /** Atomically sets the value to {@code newValue} if it is {@code expectedValue}; returns whether it did. */
    public boolean compareAndSet(int expectedValue, int newValue) {
        return Slot.INTS.compareAndSet(slot.buffer(), slot.offset, expectedValue, newValue);
    }

    /** Like {@link #compareAndSet} but may fail spuriously; for retry loops. */
    public boolean weakCompareAndSetVolatile(int expectedValue, int newValue) {
        return Slot.INTS.weakCompareAndSet(slot.buffer(), slot.offset, expectedValue, newValue);
    }

    /** Returns the old value and adds {@code delta} in one atomic step. */
    public int getAndAdd(int delta) {
        return (int) Slot.INTS.getAndAdd(slot.buffer(), slot.offset, delta);
    }

    public int addAndGet(int delta) {
        return getAndAdd(delta) + delta;
    }

    public int getAndIncrement() {
        return getAndAdd(1);
    }

    public int getAndDecrement() {
        return getAndAdd(-1);
    }

    public int incrementAndGet() {
        return getAndAdd(1) + 1;
    }

    public int decrementAndGet() {
        return getAndAdd(-1) - 1;
    }

    /** Applies {@code update} atomically (compare-and-set loop) and returns the previous value. */
    public int getAndUpdate(IntUnaryOperator update) {
        int prev = get();
        for (;;) {
            int next = update.applyAsInt(prev);
            int witness = (int) Slot.INTS.compareAndExchange(slot.buffer(), slot.offset, prev, next);
            if (witness == prev) {
                return prev;
            }
            prev = witness;
        }
    }

    /** Applies {@code update} atomically (compare-and-set loop) and returns the new value. */
    public int updateAndGet(IntUnaryOperator update) {
        int prev = get();
        for (;;) {
            int next = update.applyAsInt(prev);
            int witness = (int) Slot.INTS.compareAndExchange(slot.buffer(), slot.offset, prev, next);
            if (witness == prev) {
                return next;
            }
            prev = witness;
        }
    }

    public int getAndAccumulate(int x, IntBinaryOperator accumulator) {
        return getAndUpdate(v -> accumulator.applyAsInt(v, x));
    }

    public int accumulateAndGet(int x, IntBinaryOperator accumulator) {
        return updateAndGet(v -> accumulator.applyAsInt(v, x));
    }

    @Override
    public int intValue() {
        return get();
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

    /** The value and where it lives, e.g. {@code SharedInt[42, segment=p123-ab, offset=192, owner]}. */
    @Override
    public String toString() {
        return "SharedInt[" + (slot.isClosed() ? "" : get() + ", ") + slot.describe() + "]";
    }
}
