package dev.procshare.memory;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A segment of fixed-size cells that readers read without locking and that a killed writer cannot tear:
 * what {@link ShareableList} (a cell per item) and {@link SharedRecord} (one cell) are made of.
 *
 * <p>Each cell holds two areas and a state word, {@code version << 1 | active area}. A writer, holding the
 * segment's writer lock (a {@link WordLock}: robust between processes, a thread lock within one JVM), fills the inactive area and then publishes it by a release store of the state word
 * with the version incremented. A reader copies the active area and re-reads the state word: if it changed, a
 * writer may have reused the area, and the reader tries again. A writer killed mid-write leaves the state word
 * as it was, so readers keep seeing the last complete value and the next writer takes the lock over.
 *
 * <pre>
 * payload  0 writer lock (OwnerWord)   8 take-overs   16 descriptor bytes (int)   20 first cell (int)
 *         24 cells (int)              28 area bytes (int)   32 descriptor, UTF-8
 * cell     0 state (long)   8 area 0   8 + area bytes: area 1
 * </pre>
 * The descriptor says what the cells hold (a record's fields, a list's capacity), for a process that opens
 * the segment by name, Python's included (see {@code python/procshare_shm.py}).
 */
final class Cells {
    private static final int LOCK = 0, DESCRIPTOR_LENGTH = 16, FIRST_CELL = 20, COUNT = 24, AREA = 28,
            DESCRIPTOR = 32;

    final Segment segment;
    final String descriptor;
    final int count;
    final int areaBytes;
    private final int firstCell;
    private final WordLock writers;
    /** Whether this handle created the segment (another handle in this JVM may share the owned segment). */
    private final boolean creator;
    private volatile ByteBuffer buffer;

    private Cells(Segment segment, boolean creator) {
        this.segment = segment;
        this.creator = creator;
        ByteBuffer b = segment.buffer();
        int base = SegmentHeader.SIZE;
        int descriptorLength = b.getInt(base + DESCRIPTOR_LENGTH);
        this.firstCell = b.getInt(base + FIRST_CELL);
        this.count = b.getInt(base + COUNT);
        this.areaBytes = b.getInt(base + AREA);
        long end = (long) firstCell + (long) count * cellBytes(areaBytes);
        if (descriptorLength < 0 || firstCell < DESCRIPTOR + descriptorLength || count < 0 || areaBytes < 0
                || end > segment.payloadSize()) {
            Segments.release(segment);
            throw new SegmentFormatException("segment '" + segment.name + "' has a corrupt cell table");
        }
        byte[] text = new byte[descriptorLength];
        b.get(base + DESCRIPTOR, text);
        this.descriptor = new String(text, StandardCharsets.UTF_8);
        this.writers = segment.local(SegmentHeader.SIZE + LOCK, () -> new WordLock(SegmentHeader.SIZE + LOCK));
        this.buffer = b;
    }

    private static long cellBytes(int areaBytes) {
        return 8 + 2L * areaBytes;
    }

    /** A new segment of {@code count} cells of two {@code areaBytes} areas, all zero. */
    static Cells create(String name, SegmentKind kind, String descriptor, int count, int areaBytes) {
        byte[] text = descriptor.getBytes(StandardCharsets.UTF_8);
        int area = (areaBytes + 7) & ~7;
        long first = (DESCRIPTOR + text.length + 7) & ~7L;
        long payload = first + count * cellBytes(area);
        if (count < 0 || areaBytes < 0 || area < 0 || payload > Segments.MAX_PAYLOAD) {
            throw new IllegalArgumentException(kind.description + " of " + count + " cells of " + areaBytes
                    + " bytes does not fit in one segment (at most " + Segments.MAX_PAYLOAD + " bytes)");
        }
        Segment segment = Segments.create(Segments.defaultDirectory(), name, kind, payload, count, false);
        ByteBuffer b = segment.buffer();
        int base = SegmentHeader.SIZE;
        b.putInt(base + DESCRIPTOR_LENGTH, text.length).putInt(base + FIRST_CELL, (int) first)
                .putInt(base + COUNT, count).putInt(base + AREA, area).put(base + DESCRIPTOR, text);
        VarHandle.releaseFence(); // the table is complete before another process can use the cells
        return new Cells(segment, true);
    }

    static Cells open(Path directory, String name, SegmentKind kind) {
        return new Cells(Segments.attach(directory, name, kind), false);
    }

    ByteBuffer buffer() {
        ByteBuffer b = buffer;
        if (b == null) {
            throw new SegmentClosedException(segment.kind().description + " '" + segment.name + "' is closed");
        }
        return b;
    }

    private int state(int cell) {
        if (cell < 0 || cell >= count) {
            throw new IndexOutOfBoundsException("index " + cell + " out of bounds for length " + count);
        }
        return SegmentHeader.SIZE + firstCell + (int) (cell * cellBytes(areaBytes));
    }

    private int area(int state, long word) {
        return state + 8 + (int) (word & 1) * areaBytes;
    }

    /** Reads the area of one cell. */
    interface Reader<T> {
        /** Decodes the area at {@code offset} of {@code b} (the mapping's native order); may see garbage, retried then. */
        T read(ByteBuffer b, int offset);
    }

    /** Writes one area. */
    interface Writer {
        /** Fills the area at {@code offset} of {@code b} (the mapping's native order); throwing leaves the cell unchanged. */
        void write(ByteBuffer b, int offset);
    }

    /** A consistent read of {@code cell}: the area as some complete write left it. */
    <T> T read(int cell, Reader<T> reader) {
        int state = state(cell);
        for (;;) {
            ByteBuffer b = buffer();
            long before = (long) Slot.LONGS.getAcquire(b, state);
            T value;
            try {
                value = reader.read(b, area(state, before));
            } catch (RuntimeException garbage) { // a torn copy can decode to nonsense: judge after the check
                VarHandle.acquireFence();
                if ((long) Slot.LONGS.getVolatile(b, state) == before) {
                    throw garbage;
                }
                continue;
            }
            VarHandle.acquireFence(); // the copy is done before the state word is read again
            if ((long) Slot.LONGS.getVolatile(b, state) == before) {
                return value;
            }
            Thread.onSpinWait();
        }
    }

    /** Replaces the value of {@code cell} under the writer lock (see {@link #writeHeld}). */
    void write(int cell, Writer writer) {
        locked(() -> {
            writeHeld(cell, writer);
            return null;
        });
    }

    /**
     * Replaces the value of {@code cell}, the caller holding the writer lock ({@link #locked}):
     * {@code writer} fills the inactive area, then it is published.
     */
    void writeHeld(int cell, Writer writer) {
        int state = state(cell);
        ByteBuffer b = buffer();
        long word = (long) Slot.LONGS.getVolatile(b, state);
        long inactive = (word & 1) ^ 1;
        // The area about to be filled was the active one until the last publish; a release store orders
        // only what precedes it, so without this fence a reader could see these writes before that
        // publish and accept them as the value it started reading (weakly ordered CPUs).
        VarHandle.fullFence();
        writer.write(b, state + 8 + (int) inactive * areaBytes);
        Slot.LONGS.setRelease(b, state, ((word >>> 1) + 1) << 1 | inactive);
    }

    /**
     * Runs {@code body} holding the writer lock (this thread, then this process), so that a read in it sees
     * the current value and {@link #writeHeld} replaces it with nothing in between. Not interruptible.
     */
    <T> T locked(Supplier<T> body) {
        ByteBuffer b = buffer();
        writers.lockUninterruptibly(b);
        try {
            return body.get();
        } finally {
            writers.unlock(b, segment.kind().description + " '" + segment.name + "'");
        }
    }

    boolean isClosed() {
        return buffer == null;
    }

    /** Idempotent; the creator unlinks the name. */
    synchronized void close() {
        if (buffer != null) {
            buffer = null;
            if (creator && !segment.header.persistent()) {
                Segments.unlink(segment);
            }
            Segments.release(segment);
        }
    }

    /** What travels in place of the list or record; a closed one cannot be sent. */
    Handle handle(Handle.Kind kind) {
        buffer();
        return new Handle(segment.directory, segment.name, kind, 0);
    }

    String describe() {
        return "segment=" + segment.name + (creator ? ", owner" : "") + (buffer == null ? ", closed" : "");
    }
}
