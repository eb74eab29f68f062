package dev.procshare.memory;

import dev.procshare.codec.AllowList;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The segment behind one shared array handle: a dedicated segment whose header records the element type
 * and count. The handle that created it owns it and unlinks it on close.
 */
final class ArrayStorage {
    final Segment segment;
    final int length;
    private final Handle.Kind handleKind;
    /** Whether this handle created the segment: an {@code open} in the creating JVM shares the owned segment. */
    private final boolean creator;
    private ByteBuffer buffer;

    private ArrayStorage(Segment segment, Handle.Kind handleKind, boolean creator) {
        this.segment = segment;
        this.creator = creator;
        this.length = (int) segment.header.elements();
        this.handleKind = handleKind;
        this.buffer = segment.buffer();
    }

    /** Largest element count for elements of {@code elementSize} bytes (one mapping of at most 2 GiB). */
    static int maxLength(int elementSize) {
        return (int) Math.min(Integer.MAX_VALUE - 8, Segments.MAX_PAYLOAD / elementSize) & ~7;
    }

    static ArrayStorage create(String name, SegmentKind kind, Handle.Kind handleKind, long length) {
        int max = maxLength(kind.elementSize);
        if (length < 0 || length > max) {
            throw new IllegalArgumentException(kind.description + " length " + length + " is out of range: 0 to "
                    + max);
        }
        long payload = (length * kind.elementSize + 7) & ~7L; // whole words, for atomic access to the last bytes
        return create(name, kind, handleKind, length, payload);
    }

    /** A segment of {@code payload} bytes whose header records {@code elements} (a layout of the caller's). */
    static ArrayStorage create(String name, SegmentKind kind, Handle.Kind handleKind, long elements, long payload) {
        Segment segment = Segments.create(Segments.defaultDirectory(), name, kind, payload, elements, false);
        return new ArrayStorage(segment, handleKind, true);
    }

    static ArrayStorage open(Path directory, String name, SegmentKind kind, Handle.Kind handleKind) {
        Segment segment = Segments.attach(directory, name, kind);
        long elements = segment.header.elements();
        if (elements < 0 || elements > maxLength(kind.elementSize)
                || elements * kind.elementSize > segment.payloadSize()) {
            Segments.release(segment);
            throw new SegmentFormatException("segment '" + name + "' has a corrupt header: " + elements
                    + " elements do not fit in " + segment.payloadSize() + " bytes");
        }
        return new ArrayStorage(segment, handleKind, false);
    }

    ByteBuffer buffer() {
        ByteBuffer b = buffer;
        if (b == null) {
            throw new SegmentClosedException(segment.kind().description + " '" + segment.name + "' is closed");
        }
        return b;
    }

    /** Byte offset of element {@code index}, checked against the array's length. */
    int offset(int index, int elementShift) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("index " + index + " out of bounds for length " + length);
        }
        return SegmentHeader.SIZE + (index << elementShift);
    }

    /** Checks that {@code count} elements from {@code index} lie inside the array. */
    void checkRange(int index, int count) {
        if (index < 0 || count < 0 || index > length - count) {
            throw new IndexOutOfBoundsException("range [" + index + ", " + index + " + " + count
                    + ") out of bounds for length " + length);
        }
    }

    /** A new native-order view of the elements, sharing the memory. */
    ByteBuffer view(int elementSize) {
        return buffer().slice(SegmentHeader.SIZE, length * elementSize).order(ByteOrder.nativeOrder());
    }

    boolean isClosed() {
        return buffer == null;
    }

    /** Idempotent. The owner unlinks the name at once, even if this JVM holds other handles on it. */
    synchronized void close() {
        if (buffer != null) {
            buffer = null;
            if (creator && !segment.header.persistent()) {
                Segments.unlink(segment);
            }
            Segments.release(segment);
        }
    }

    Handle handle() {
        buffer();
        return new Handle(segment.directory, segment.name, handleKind, 0);
    }

    /** A handle that also carries what its receiver may decode from the segment (a queue's items). */
    Handle handle(AllowList allowList) {
        buffer();
        return new Handle(segment.directory, segment.name, handleKind, 0, allowList);
    }

    String describe() {
        return "length=" + length + ", segment=" + segment.name + (creator ? ", owner" : "")
                + (buffer == null ? ", closed" : "");
    }
}
