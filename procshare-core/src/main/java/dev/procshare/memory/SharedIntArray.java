package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;

/**
 * An array of {@code int} in shared memory: the cross-process {@link java.util.concurrent.atomic.AtomicIntegerArray}
 * plus bulk copies; Python's {@code multiprocessing.Array('i', n)} without the lock.
 *
 * <p><b>Memory semantics.</b> Element operations are volatile and atomic in every process, like
 * {@code AtomicIntegerArray}'s. Bulk copies ({@link #copyFrom}, {@link #copyTo}) and the {@link #asIntBuffer()}
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
public final class SharedIntArray implements SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;
    /** The most elements one array holds. */
    public static final int MAX_LENGTH = ArrayStorage.maxLength(Integer.BYTES);
    private static final int SHIFT = 2;

    private final transient ArrayStorage storage;

    private SharedIntArray(ArrayStorage storage) {
        this.storage = storage;
    }

    /** A new array of {@code length} zeros, owned by this process. */
    public static SharedIntArray create(int length) {
        return create(null, length);
    }

    /** A new array named {@code name} (so that other processes can {@link #open} it), owned by this process. */
    public static SharedIntArray create(String name, int length) {
        return new SharedIntArray(ArrayStorage.create(name, SegmentKind.INT_ARRAY, Handle.Kind.INT_ARRAY, length));
    }

    /** A new array holding a copy of {@code values}. */
    public static SharedIntArray copyOf(int[] values) {
        SharedIntArray array = create(values.length);
        array.copyFrom(values);
        return array;
    }

    /** Attaches to the array another process created under {@code name}. */
    public static SharedIntArray open(String name) {
        return open(Segments.defaultDirectory(), name);
    }

    static SharedIntArray open(Path directory, String name) {
        return new SharedIntArray(ArrayStorage.open(directory, name, SegmentKind.INT_ARRAY, Handle.Kind.INT_ARRAY));
    }

    public int length() {
        return storage.length;
    }

    /** The segment name, for {@link #open(String)} in another process. */
    public String name() {
        return storage.segment.name;
    }

    /** Volatile read of element {@code i}. */
    public int get(int i) {
        return (int) Slot.INTS.getVolatile(storage.buffer(), storage.offset(i, SHIFT));
    }

    /** Volatile write of element {@code i}. */
    public void set(int i, int newValue) {
        Slot.INTS.setVolatile(storage.buffer(), storage.offset(i, SHIFT), newValue);
    }

    /** Release write of element {@code i}. */
    public void setRelease(int i, int newValue) {
        Slot.INTS.setRelease(storage.buffer(), storage.offset(i, SHIFT), newValue);
    }

    /** Same as {@link #setRelease}. */
    public void lazySet(int i, int newValue) {
        setRelease(i, newValue);
    }

    public int getAndSet(int i, int newValue) {
        return (int) Slot.INTS.getAndSet(storage.buffer(), storage.offset(i, SHIFT), newValue);
    }

    public boolean compareAndSet(int i, int expectedValue, int newValue) {
        return Slot.INTS.compareAndSet(storage.buffer(), storage.offset(i, SHIFT), expectedValue, newValue);
    }

    public int getAndAdd(int i, int delta) {
        return (int) Slot.INTS.getAndAdd(storage.buffer(), storage.offset(i, SHIFT), delta);
    }

    public int addAndGet(int i, int delta) {
        return getAndAdd(i, delta) + delta;
    }

    public int getAndIncrement(int i) {
        return getAndAdd(i, 1);
    }

    public int getAndDecrement(int i) {
        return getAndAdd(i, -1);
    }

    public int incrementAndGet(int i) {
        return getAndAdd(i, 1) + 1;
    }

    public int decrementAndGet(int i) {
        return getAndAdd(i, -1) - 1;
    }

    /** Applies {@code update} to element {@code i} atomically; returns the previous value. */
    public int getAndUpdate(int i, IntUnaryOperator update) {
        int offset = storage.offset(i, SHIFT);
        int prev = (int) Slot.INTS.getVolatile(storage.buffer(), offset);
        for (;;) {
            int witness = (int) Slot.INTS.compareAndExchange(storage.buffer(), offset, prev,
                    update.applyAsInt(prev));
            if (witness == prev) {
                return prev;
            }
            prev = witness;
        }
    }

    /** Applies {@code update} to element {@code i} atomically; returns the new value. */
    public int updateAndGet(int i, IntUnaryOperator update) {
        int offset = storage.offset(i, SHIFT);
        int prev = (int) Slot.INTS.getVolatile(storage.buffer(), offset);
        for (;;) {
            int next = update.applyAsInt(prev);
            int witness = (int) Slot.INTS.compareAndExchange(storage.buffer(), offset, prev, next);
            if (witness == prev) {
                return next;
            }
            prev = witness;
        }
    }

    public int getAndAccumulate(int i, int x, IntBinaryOperator accumulator) {
        return getAndUpdate(i, v -> accumulator.applyAsInt(v, x));
    }

    public int accumulateAndGet(int i, int x, IntBinaryOperator accumulator) {
        return updateAndGet(i, v -> accumulator.applyAsInt(v, x));
    }

    /** Copies all of {@code src} into the array from index 0 (plain writes, memory speed). */
    public void copyFrom(int[] src) {
        copyFrom(0, src, 0, src.length);
    }

    /** Copies {@code count} values from {@code src[srcIndex..]} into the array from {@code index}. */
    public void copyFrom(int index, int[] src, int srcIndex, int count) {
        storage.checkRange(index, count);
        storage.view(Integer.BYTES).asIntBuffer().put(index, src, srcIndex, count);
    }

    /** Copies the whole array into {@code dst}, which must be at least {@link #length()} long. */
    public void copyTo(int[] dst) {
        copyTo(0, dst, 0, length());
    }

    /** Copies {@code count} values from the array at {@code index} into {@code dst[dstIndex..]}. */
    public void copyTo(int index, int[] dst, int dstIndex, int count) {
        storage.checkRange(index, count);
        storage.view(Integer.BYTES).asIntBuffer().get(index, dst, dstIndex, count);
    }

    /** A copy of the whole array. */
    public int[] toArray() {
        int[] copy = new int[length()];
        copyTo(copy);
        return copy;
    }

    /** A zero-copy view of the elements (plain accesses); valid while this handle is open. */
    public IntBuffer asIntBuffer() {
        return storage.view(Integer.BYTES).asIntBuffer();
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
        return "SharedIntArray[" + storage.describe() + "]";
    }
}
