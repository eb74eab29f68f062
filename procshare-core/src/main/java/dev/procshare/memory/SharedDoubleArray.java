package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;
import java.nio.DoubleBuffer;
import java.nio.file.Path;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * An array of {@code double} in shared memory: Python's {@code multiprocessing.Array('d', n)} without the lock,
 * with atomic element updates (compare-and-set on the IEEE bits, as in {@link SharedDouble}) and bulk copies.
 *
 * <p><b>Memory semantics.</b> Element operations are volatile and atomic in every process. Bulk copies
 * ({@link #copyFrom}, {@link #copyTo}) and the {@link #asDoubleBuffer()} view are plain accesses at memory
 * speed: another process sees a bulk write completely once the writer has published it with a volatile write
 * (a {@link SharedBoolean}, a {@link SharedLock} release) or has ended and been joined.
 *
 * <p><b>Size.</b> Each array is one segment of at most 2 GiB: up to {@link #MAX_LENGTH} elements.
 *
 * <p><b>Across processes.</b> Serializable as the segment's name; deserializing attaches to the same memory.
 * The creator owns the segment: its {@link #close()} unlinks it (processes already attached keep working on
 * it), and it is unlinked when the creator exits. {@link #open(String)} attaches by name.
 */
public final class SharedDoubleArray implements SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;
    /** The most elements one array holds. */
    public static final int MAX_LENGTH = ArrayStorage.maxLength(Double.BYTES);
    private static final int SHIFT = 3;

    private final transient ArrayStorage storage;

    private SharedDoubleArray(ArrayStorage storage) {
        this.storage = storage;
    }

    /** A new array of {@code length} zeros, owned by this process. */
    public static SharedDoubleArray create(int length) {
        return create(null, length);
    }

    /** A new array named {@code name} (so that other processes can {@link #open} it), owned by this process. */
    public static SharedDoubleArray create(String name, int length) {
        return new SharedDoubleArray(ArrayStorage.create(name, SegmentKind.DOUBLE_ARRAY, Handle.Kind.DOUBLE_ARRAY,
                length));
    }

    /** A new array holding a copy of {@code values}. */
    public static SharedDoubleArray copyOf(double[] values) {
        SharedDoubleArray array = create(values.length);
        array.copyFrom(values);
        return array;
    }

    /** Attaches to the array another process created under {@code name}. */
    public static SharedDoubleArray open(String name) {
        return open(Segments.defaultDirectory(), name);
    }

    static SharedDoubleArray open(Path directory, String name) {
        return new SharedDoubleArray(ArrayStorage.open(directory, name, SegmentKind.DOUBLE_ARRAY,
                Handle.Kind.DOUBLE_ARRAY));
    }

    public int length() {
        return storage.length;
    }

    /** The segment name, for {@link #open(String)} in another process. */
    public String name() {
        return storage.segment.name;
    }

    private static long bits(double v) {
        return Double.doubleToRawLongBits(v);
    }

    /** Volatile read of element {@code i}. */
    public double get(int i) {
        return Double.longBitsToDouble((long) Slot.LONGS.getVolatile(storage.buffer(), storage.offset(i, SHIFT)));
    }

    /** Volatile write of element {@code i}. */
    public void set(int i, double newValue) {
        Slot.LONGS.setVolatile(storage.buffer(), storage.offset(i, SHIFT), bits(newValue));
    }

    /** Release write of element {@code i}. */
    public void setRelease(int i, double newValue) {
        Slot.LONGS.setRelease(storage.buffer(), storage.offset(i, SHIFT), bits(newValue));
    }

    /** Same as {@link #setRelease}. */
    public void lazySet(int i, double newValue) {
        setRelease(i, newValue);
    }

    public double getAndSet(int i, double newValue) {
        return Double.longBitsToDouble((long) Slot.LONGS.getAndSet(storage.buffer(), storage.offset(i, SHIFT),
                bits(newValue)));
    }

    /** Sets element {@code i} if its bits equal {@code expectedValue}'s. */
    public boolean compareAndSet(int i, double expectedValue, double newValue) {
        return Slot.LONGS.compareAndSet(storage.buffer(), storage.offset(i, SHIFT), bits(expectedValue),
                bits(newValue));
    }

    public double getAndAdd(int i, double delta) {
        return getAndUpdate(i, v -> v + delta);
    }

    public double addAndGet(int i, double delta) {
        return updateAndGet(i, v -> v + delta);
    }

    /** Applies {@code update} to element {@code i} atomically; returns the previous value. */
    public double getAndUpdate(int i, DoubleUnaryOperator update) {
        int offset = storage.offset(i, SHIFT);
        long prev = (long) Slot.LONGS.getVolatile(storage.buffer(), offset);
        for (;;) {
            double old = Double.longBitsToDouble(prev);
            long witness = (long) Slot.LONGS.compareAndExchange(storage.buffer(), offset, prev,
                    bits(update.applyAsDouble(old)));
            if (witness == prev) {
                return old;
            }
            prev = witness;
        }
    }

    /** Applies {@code update} to element {@code i} atomically; returns the new value. */
    public double updateAndGet(int i, DoubleUnaryOperator update) {
        int offset = storage.offset(i, SHIFT);
        long prev = (long) Slot.LONGS.getVolatile(storage.buffer(), offset);
        for (;;) {
            double next = update.applyAsDouble(Double.longBitsToDouble(prev));
            long witness = (long) Slot.LONGS.compareAndExchange(storage.buffer(), offset, prev, bits(next));
            if (witness == prev) {
                return next;
            }
            prev = witness;
        }
    }

    public double getAndAccumulate(int i, double x, DoubleBinaryOperator accumulator) {
        return getAndUpdate(i, v -> accumulator.applyAsDouble(v, x));
    }

    public double accumulateAndGet(int i, double x, DoubleBinaryOperator accumulator) {
        return updateAndGet(i, v -> accumulator.applyAsDouble(v, x));
    }

    /** Copies all of {@code src} into the array from index 0 (plain writes, memory speed). */
    public void copyFrom(double[] src) {
        copyFrom(0, src, 0, src.length);
    }

    /** Copies {@code count} values from {@code src[srcIndex..]} into the array from {@code index}. */
    public void copyFrom(int index, double[] src, int srcIndex, int count) {
        storage.checkRange(index, count);
        asDoubleBuffer().put(index, src, srcIndex, count);
    }

    /** Copies the whole array into {@code dst}, which must be at least {@link #length()} long. */
    public void copyTo(double[] dst) {
        copyTo(0, dst, 0, length());
    }

    /** Copies {@code count} values from the array at {@code index} into {@code dst[dstIndex..]}. */
    public void copyTo(int index, double[] dst, int dstIndex, int count) {
        storage.checkRange(index, count);
        asDoubleBuffer().get(index, dst, dstIndex, count);
    }

    /** A copy of the whole array. */
    public double[] toArray() {
        double[] copy = new double[length()];
        copyTo(copy);
        return copy;
    }

    /** A zero-copy view of the elements (plain accesses); valid while this handle is open. */
    public DoubleBuffer asDoubleBuffer() {
        return storage.view(Double.BYTES).asDoubleBuffer();
    }

    @Override
    public boolean isClosed() {
        return storage.isClosed();
    }

    @Override
    public void close() {
        storage.close();
    }

    /** The handle that travels in this one's place: what serializing this writes, too. */
    @Override
    public Portable portable() {
        return storage.handle();
    }

    @Serial
    private Object writeReplace() {
        return portable();
    }

    @Override
    public String toString() {
        return "SharedDoubleArray[" + storage.describe() + "]";
    }
}
