package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A {@code double} in shared memory that every process holding this handle reads and updates atomically;
 * Python's {@code multiprocessing.Value('d')} without the lock. The JDK has no {@code AtomicDouble}; this
 * follows {@code AtomicLong}'s API, storing the IEEE bits in a {@code long} and updating them by
 * compare-and-set.
 *
 * <p><b>Memory semantics.</b> Reads and writes are volatile unless a method says otherwise, in every process.
 * {@link #compareAndSet} compares bit patterns ({@link Double#doubleToRawLongBits}), so {@code NaN} matches
 * the same {@code NaN} and {@code 0.0} does not match {@code -0.0}. Update functions may run more than once
 * under contention and must be free of side effects.
 *
 * <p><b>Across processes.</b> Serializable as a descriptor that attaches to the same memory; owned and freed
 * by its creator as described in {@link SharedHandle}. A process dying mid-update leaves the old or the new
 * value, never a torn one.
 */
public final class SharedDouble extends Number implements SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Slot slot;

    SharedDouble(Slot slot) {
        this.slot = slot;
    }

    /** A new shared double, 0.0. */
    public static SharedDouble create() {
        return create(0.0);
    }

    /** A new shared double holding {@code initialValue}, owned by this process. */
    public static SharedDouble create(double initialValue) {
        SharedDouble value = new SharedDouble(Slabs.allocate(Segments.defaultDirectory(), SlotType.DOUBLE));
        value.set(initialValue);
        return value;
    }

    private static long bits(double v) {
        return Double.doubleToRawLongBits(v);
    }

    /** Volatile read. */
    public double get() {
        return Double.longBitsToDouble((long) Slot.LONGS.getVolatile(slot.buffer(), slot.offset));
    }

    /** Acquire read. */
    public double getAcquire() {
        return Double.longBitsToDouble((long) Slot.LONGS.getAcquire(slot.buffer(), slot.offset));
    }

    /** Volatile write. */
    public void set(double newValue) {
        Slot.LONGS.setVolatile(slot.buffer(), slot.offset, bits(newValue));
    }

    /** Release write; visible to other processes soon, after the writes that precede it. */
    public void setRelease(double newValue) {
        Slot.LONGS.setRelease(slot.buffer(), slot.offset, bits(newValue));
    }

    /** Same as {@link #setRelease}. */
    public void lazySet(double newValue) {
        setRelease(newValue);
    }

    public double getAndSet(double newValue) {
        return Double.longBitsToDouble((long) Slot.LONGS.getAndSet(slot.buffer(), slot.offset, bits(newValue)));
    }

    /** Sets {@code newValue} if the current bits equal {@code expectedValue}'s; returns whether it did. */
    public boolean compareAndSet(double expectedValue, double newValue) {
        return Slot.LONGS.compareAndSet(slot.buffer(), slot.offset, bits(expectedValue), bits(newValue));
    }

    /** Adds {@code delta} atomically and returns the previous value. */
    public double getAndAdd(double delta) {
        return getAndUpdate(v -> v + delta);
    }

    public double addAndGet(double delta) {
        return updateAndGet(v -> v + delta);
    }

    /** Applies {@code update} atomically (compare-and-set loop) and returns the previous value. */
    public double getAndUpdate(DoubleUnaryOperator update) {
        long prev = (long) Slot.LONGS.getVolatile(slot.buffer(), slot.offset);
        for (;;) {
            double old = Double.longBitsToDouble(prev);
            long next = bits(update.applyAsDouble(old));
            long witness = (long) Slot.LONGS.compareAndExchange(slot.buffer(), slot.offset, prev, next);
            if (witness == prev) {
                return old;
            }
            prev = witness;
        }
    }

    /** Applies {@code update} atomically (compare-and-set loop) and returns the new value. */
    public double updateAndGet(DoubleUnaryOperator update) {
        long prev = (long) Slot.LONGS.getVolatile(slot.buffer(), slot.offset);
        for (;;) {
            double next = update.applyAsDouble(Double.longBitsToDouble(prev));
            long witness = (long) Slot.LONGS.compareAndExchange(slot.buffer(), slot.offset, prev, bits(next));
            if (witness == prev) {
                return next;
            }
            prev = witness;
        }
    }

    public double getAndAccumulate(double x, DoubleBinaryOperator accumulator) {
        return getAndUpdate(v -> accumulator.applyAsDouble(v, x));
    }

    public double accumulateAndGet(double x, DoubleBinaryOperator accumulator) {
        return updateAndGet(v -> accumulator.applyAsDouble(v, x));
    }

    @Override
    public int intValue() {
        return (int) get();
    }

    @Override
    public long longValue() {
        return (long) get();
    }

    @Override
    public float floatValue() {
        return (float) get();
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
        slot.buffer();
        return slot.handle();
    }

    @Serial
    private Object writeReplace() {
        return portable();
    }

    @Override
    public String toString() {
        return "SharedDouble[" + (slot.isClosed() ? "" : get() + ", ") + slot.describe() + "]";
    }
}
