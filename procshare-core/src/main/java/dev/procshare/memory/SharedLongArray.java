package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * An array of {@code long} in shared memory: the cross-process {@link java.util.concurrent.atomic.AtomicLongArray}
 * plus bulk copies; Python's {@code multiprocessing.Array('q', n)} without the lock.
 *
 * <p><b>Memory semantics.</b> Element operations are volatile and atomic in every process, like
 * {@code AtomicLongArray}'s. Bulk copies ({@link #copyFrom}, {@link #copyTo}) and the {@link #asLongBuffer()}
 * view are plain memory accesses at memory speed: another process sees a bulk write completely once the
 * writer has published it with a volatile write, such as setting a {@link SharedBoolean}, releasing a
 * {@link SharedLock} or ending (a parent sees a joined child's writes).
 *
 * <p><b>Size.</b> Each array is one segment of at most 2 GiB: up to {@link #MAX_LENGTH} elements.
 *
 * <p><b>Across processes.</b> Serializable as the segment's name; deserializing attaches to the same memory.
 * The creator owns the segment: its {@link #close()} unlinks it (processes already attached keep working on
 * it), and it is unlinked when the creator exits. {@link #open(String)} attaches by name.
 */
public final class SharedLongArray implements SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;
    /** The most elements one array holds. */
    public static final int MAX_LENGTH = ArrayStorage.maxLength(Long.BYTES);
    private static final int SHIFT = 3;

    private final transient ArrayStorage storage;

    private SharedLongArray(ArrayStorage storage) {
        this.storage = storage;
    }

    /** A new array of {@code length} zeros, owned by this process. */
    public static SharedLongArray create(int length) {
        return create(null, length);
    }

    /** A new array named {@code name} (so that other processes can {@link #open} it), owned by this process. */
    public static SharedLongArray create(String name, int length) {
        return new SharedLongArray(ArrayStorage.create(name, SegmentKind.LONG_ARRAY, Handle.Kind.LONG_ARRAY, length));
    }

    /** A new array holding a copy of {@code values}. */
    public static SharedLongArray copyOf(long[] values) {
        SharedLongArray array = create(values.length);
        array.copyFrom(values);
        return array;
    }

    /** Attaches to the array another process created under {@code name}. */
    public static SharedLongArray open(String name) {
        return open(Segments.defaultDirectory(), name);
    }

    static SharedLongArray open(Path directory, String name) {
        return new SharedLongArray(ArrayStorage.open(directory, name, SegmentKind.LONG_ARRAY, Handle.Kind.LONG_ARRAY));
    }

    public int length() {
        return storage.length;
    }

    /** The segment name, for {@link #open(String)} in another process. */
    public String name() {
        return storage.segment.name;
    }

    /** Volatile read of element {@code i}. */
    public long get(int i) {
        return (long) Slot.LONGS.getVolatile(storage.buffer(), storage.offset(i, SHIFT));
    }

    /** Volatile write of element {@code i}. */
    public void set(int i, long newValue) {
        Slot.LONGS.setVolatile(storage.buffer(), storage.offset(i, SHIFT), newValue);
    }

    /** Release write of element {@code i}. */
    public void setRelease(int i, long newValue) {
        Slot.LONGS.setRelease(storage.buffer(), storage.offset(i, SHIFT), newValue);
    }

    /** Same as {@link #setRelease}. */
    public void lazySet(int i, long newValue) {
        setRelease(i, newValue);
    }

    public long getAndSet(int i, long newValue) {
        return (long) Slot.LONGS.getAndSet(storage.buffer(), storage.offset(i, SHIFT), newValue);
    }

    public boolean compareAndSet(int i, long expectedValue, long newValue) {
        return Slot.LONGS.compareAndSet(storage.buffer(), storage.offset(i, SHIFT), expectedValue, newValue);
    }

    public long getAndAdd(int i, long delta) {
        return (long) Slot.LONGS.getAndAdd(storage.buffer(), storage.offset(i, SHIFT), delta);
    }

    public long addAndGet(int i, long delta) {
        return getAndAdd(i, delta) + delta;
    }

    public long getAndIncrement(int i) {
        return getAndAdd(i, 1);
    }

    public long getAndDecrement(int i) {
        return getAndAdd(i, -1);
    }

    public long incrementAndGet(int i) {
        return getAndAdd(i, 1) + 1;
    }

    public long decrementAndGet(int i) {
        return getAndAdd(i, -1) - 1;
    }

    /** Applies {@code update} to element {@code i} atomically; returns the previous value. */
    public long getAndUpdate(int i, LongUnaryOperator update) {
        int offset = storage.offset(i, SHIFT);
        long prev = (long) Slot.LONGS.getVolatile(storage.buffer(), offset);
        for (;;) {
            long witness = (long) Slot.LONGS.compareAndExchange(storage.buffer(), offset, prev,
                    update.applyAsLong(prev));
            if (witness == prev) {
                return prev;
            }
            prev = witness;
        }
    }

    /** Applies {@code update} to element {@code i} atomically; returns the new value. */
    public long updateAndGet(int i, LongUnaryOperator update) {
        int offset = storage.offset(i, SHIFT);
        long prev = (long) Slot.LONGS.getVolatile(storage.buffer(), offset);
        for (;;) {
            long next = update.applyAsLong(prev);
            long witness = (long) Slot.LONGS.compareAndExchange(storage.buffer(), offset, prev, next);
            if (witness == prev) {
                return next;
            }
            prev = witness;
        }
    }

    public long getAndAccumulate(int i, long x, LongBinaryOperator accumulator) {
        return getAndUpdate(i, v -> accumulator.applyAsLong(v, x));
    }

    public long accumulateAndGet(int i, long x, LongBinaryOperator accumulator) {
        return updateAndGet(i, v -> accumulator.applyAsLong(v, x));
    }

    /** Copies all of {@code src} into the array from index 0 (plain writes, memory speed). */
    public void copyFrom(long[] src) {
        copyFrom(0, src, 0, src.length);
    }

    /** Copies {@code count} values from {@code src[srcIndex..]} into the array from {@code index}. */
    public void copyFrom(int index, long[] src, int srcIndex, int count) {
        storage.checkRange(index, count);
        storage.view(Long.BYTES).asLongBuffer().put(index, src, srcIndex, count);
    }

    /** Copies the whole array into {@code dst}, which must be at least {@link #length()} long. */
    public void copyTo(long[] dst) {
        copyTo(0, dst, 0, length());
    }

    /** Copies {@code count} values from the array at {@code index} into {@code dst[dstIndex..]}. */
    public void copyTo(int index, long[] dst, int dstIndex, int count) {
        storage.checkRange(index, count);
        storage.view(Long.BYTES).asLongBuffer().get(index, dst, dstIndex, count);
    }

    /** A copy of the whole array. */
    public long[] toArray() {
        long[] copy = new long[length()];
        copyTo(copy);
        return copy;
    }

    /** A zero-copy view of the elements (plain accesses); valid while this handle is open. */
    public LongBuffer asLongBuffer() {
        return storage.view(Long.BYTES).asLongBuffer();
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
        return "SharedLongArray[" + storage.describe() + "]";
    }
}
