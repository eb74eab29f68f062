package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * An array of bytes in shared memory: Python's {@code multiprocessing.Array('b', n)} or a
 * {@code shared_memory.SharedMemory} buffer with a length and atomic element operations.
 *
 * <p><b>Memory semantics.</b> {@link #get} and {@link #set} are volatile; {@link #compareAndSet} and
 * {@link #getAndAdd} are atomic (a compare-and-set on the aligned 4-byte word around the element, which the
 * hardware needs: neighbours are never changed). Bulk copies and the {@link #asByteBuffer()} view are plain
 * accesses at memory speed, to be published with a volatile write.
 *
 * <p><b>Size.</b> Each array is one segment of at most 2 GiB: up to {@link #MAX_LENGTH} bytes.
 *
 * <p><b>Across processes.</b> Serializable as the segment's name; the creator owns and unlinks the segment,
 * as for {@link SharedLongArray}.
 */
public final class SharedByteArray implements SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;
    /** The most elements one array holds. */
    public static final int MAX_LENGTH = ArrayStorage.maxLength(1);
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final transient ArrayStorage storage;

    private SharedByteArray(ArrayStorage storage) {
        this.storage = storage;
    }

    /** A new array of {@code length} zero bytes, owned by this process. */
    public static SharedByteArray create(int length) {
        return create(null, length);
    }

    /** A new array named {@code name} (so that other processes can {@link #open} it), owned by this process. */
    public static SharedByteArray create(String name, int length) {
        return new SharedByteArray(ArrayStorage.create(name, SegmentKind.BYTE_ARRAY, Handle.Kind.BYTE_ARRAY, length));
    }

    /** A new array holding a copy of {@code values}. */
    public static SharedByteArray copyOf(byte[] values) {
        SharedByteArray array = create(values.length);
        array.copyFrom(values);
        return array;
    }

    /** Attaches to the array another process created under {@code name}. */
    public static SharedByteArray open(String name) {
        return open(Segments.defaultDirectory(), name);
    }

    static SharedByteArray open(Path directory, String name) {
        return new SharedByteArray(ArrayStorage.open(directory, name, SegmentKind.BYTE_ARRAY, Handle.Kind.BYTE_ARRAY));
    }

    public int length() {
        return storage.length;
    }

    /** The segment name, for {@link #open(String)} in another process. */
    public String name() {
        return storage.segment.name;
    }

    /** Volatile read of element {@code i}. */
    public byte get(int i) {
        int offset = storage.offset(i, 0);
        byte value = storage.buffer().get(offset);
        VarHandle.acquireFence();
        return value;
    }

    /** Volatile write of element {@code i}. */
    public void set(int i, byte newValue) {
        int offset = storage.offset(i, 0);
        ByteBuffer b = storage.buffer();
        VarHandle.releaseFence();
        b.put(offset, newValue);
        VarHandle.fullFence();
    }

    /** Sets element {@code i} to {@code newValue} if it is {@code expectedValue}, atomically. */
    public boolean compareAndSet(int i, byte expectedValue, byte newValue) {
        int offset = storage.offset(i, 0);
        ByteBuffer b = storage.buffer();
        int word = offset & ~3;
        int shift = shift(offset);
        for (;;) {
            int current = (int) Slot.INTS.getVolatile(b, word);
            if ((byte) (current >>> shift) != expectedValue) {
                return false;
            }
            int next = (current & ~(0xFF << shift)) | ((newValue & 0xFF) << shift);
            if (Slot.INTS.compareAndSet(b, word, current, next)) {
                return true;
            }
        }
    }

    /** Adds {@code delta} to element {@code i} atomically (wrapping), returning the previous value. */
    public byte getAndAdd(int i, byte delta) {
        int offset = storage.offset(i, 0);
        ByteBuffer b = storage.buffer();
        int word = offset & ~3;
        int shift = shift(offset);
        for (;;) {
            int current = (int) Slot.INTS.getVolatile(b, word);
            byte old = (byte) (current >>> shift);
            int next = (current & ~(0xFF << shift)) | (((old + delta) & 0xFF) << shift);
            if (Slot.INTS.compareAndSet(b, word, current, next)) {
                return old;
            }
        }
    }

    private static int shift(int offset) {
        int inWord = offset & 3;
        return 8 * (LITTLE ? inWord : 3 - inWord);
    }

    /** Copies all of {@code src} into the array from index 0 (plain writes, memory speed). */
    public void copyFrom(byte[] src) {
        copyFrom(0, src, 0, src.length);
    }

    /** Copies {@code count} bytes from {@code src[srcIndex..]} into the array from {@code index}. */
    public void copyFrom(int index, byte[] src, int srcIndex, int count) {
        storage.checkRange(index, count);
        asByteBuffer().put(index, src, srcIndex, count);
    }

    /** Copies the whole array into {@code dst}, which must be at least {@link #length()} long. */
    public void copyTo(byte[] dst) {
        copyTo(0, dst, 0, length());
    }

    /** Copies {@code count} bytes from the array at {@code index} into {@code dst[dstIndex..]}. */
    public void copyTo(int index, byte[] dst, int dstIndex, int count) {
        storage.checkRange(index, count);
        asByteBuffer().get(index, dst, dstIndex, count);
    }

    /** A copy of the whole array. */
    public byte[] toArray() {
        byte[] copy = new byte[length()];
        copyTo(copy);
        return copy;
    }

    /** A zero-copy, native-order view of the bytes (plain accesses); valid while this handle is open. */
    public ByteBuffer asByteBuffer() {
        return storage.view(1);
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
        return "SharedByteArray[" + storage.describe() + "]";
    }
}
