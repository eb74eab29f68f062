package dev.procshare.memory;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One mapped segment file in this JVM. There is at most one per file per JVM ({@link Segments} hands them
 * out, counting references), however many handles on it this process creates or receives.
 */
final class Segment {
    final Path directory;
    final String name;
    final Path file;
    final SegmentHeader header;
    /** Whether this process created the segment and so unlinks it when done with it. */
    final boolean owned;
    final Object fileKey;
    // Dropped on unmap so that, on Java 17-21, a closed handle that stays reachable does not pin the mapping.
    private Mapping mapping;
    private ByteBuffer buffer;
    private final Map<Integer, Object> locals = new ConcurrentHashMap<>();
    private int references = 1;
    private boolean unlinked;

    Segment(Path directory, String name, Path file, SegmentHeader header, boolean owned, Object fileKey,
            Mapping mapping) {
        this.directory = directory;
        this.name = name;
        this.file = file;
        this.header = header;
        this.owned = owned;
        this.fileKey = fileKey;
        this.mapping = mapping;
        this.buffer = mapping.buffer();
    }

    /** The whole mapping, header included; payload starts at {@link SegmentHeader#SIZE}. */
    ByteBuffer buffer() {
        return buffer;
    }

    /**
     * This JVM's private state for the object at {@code offset} (the intra-process side of a lock), shared by
     * all handles on it in this JVM because they share this segment.
     */
    @SuppressWarnings("unchecked")
    <T> T local(int offset, Supplier<T> create) {
        return (T) locals.computeIfAbsent(offset, k -> create.get());
    }

    SegmentKind kind() {
        return header.kind();
    }

    long payloadSize() {
        return header.payloadSize();
    }

    /** Guarded by {@link Segments}' lock. */
    boolean retain() {
        if (references == 0) {
            return false;
        }
        references++;
        return true;
    }

    /** Guarded by {@link Segments}' lock; returns true when this was the last reference. */
    boolean drop() {
        return --references == 0;
    }

    /** Guarded by {@link Segments}' lock. */
    boolean markUnlinked() {
        boolean first = !unlinked;
        unlinked = true;
        return first;
    }

    /** After the last release; called once. */
    void unmap() {
        Mapping m = mapping;
        mapping = null;
        buffer = null;
        if (m != null) {
            m.close();
        }
    }

    @Override
    public String toString() {
        return "Segment[" + name + ", " + header.kind().description + ", " + header.payloadSize() + " bytes"
                + (owned ? ", owned" : "") + "]";
    }
}
