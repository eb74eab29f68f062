package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A named block of memory that several processes map: Python's {@code multiprocessing.shared_memory.SharedMemory},
 * backed by a file in {@code /dev/shm} (or a directory you choose, for example on disk to keep a segment across
 * restarts). The typed values, arrays and locks of this package live in such segments.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.create(4096)) {       // owned by this process
 *     shm.buffer().putLong(0, 42);
 *     String name = shm.name();                              // give this to another process, which calls
 * }                                                          // SharedMemory.open(name); close() unlinks
 * }</pre>
 *
 * <p><b>Layout and safety.</b> Every segment file starts with a {@value SegmentHeader#SIZE}-byte header (magic,
 * layout version, kind, size, owner pid and start time) checked before mapping, so opening a file that is
 * not a segment, is of another kind or is truncated fails with a {@link SegmentFormatException} rather than a
 * crash. A segment becomes visible under its name only once complete. Files are created readable and
 * writable by their user only.
 *
 * <p><b>Lifecycle.</b> The creating process owns the segment. Its {@link #close()} unlinks the name (unless
 * the segment was created {@linkplain Builder#persistent(boolean) persistent}); processes already attached keep
 * their mapping until they close it. Owned segments are unlinked when the JVM exits normally; segments whose
 * owner died are removed by {@link #cleanStale()}, which also runs when this library first maps a segment
 * in a JVM. On Java 22 and later, {@code close()} unmaps at once; on Java 17 to 21 the JDK has no safe unmap
 * and the garbage collector unmaps later.
 *
 * <p><b>Visibility.</b> {@link #buffer()} accesses are plain: publish what you wrote to other processes with
 * a volatile write (a {@link SharedBoolean}, {@link SharedLock}) or use the typed classes.
 */
public final class SharedMemory implements SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The largest payload of one segment: one mapping of at most 2 GiB, less the header. */
    public static final long MAX_SIZE = Segments.MAX_PAYLOAD;

    private final transient Segment segment;
    /** Whether this handle created the segment: an {@code open} in the creating JVM shares the owned segment. */
    private final transient boolean creator;
    private transient ByteBuffer payload;

    private SharedMemory(Segment segment, boolean creator) {
        this.segment = segment;
        this.creator = creator;
        this.payload = segment.buffer().slice(SegmentHeader.SIZE, (int) segment.payloadSize())
                .order(ByteOrder.nativeOrder());
    }

    /** A new segment of {@code size} zero bytes with a generated name, in the default directory. */
    public static SharedMemory create(long size) {
        return builder().size(size).create();
    }

    /** A new segment named {@code name}; fails if one of that name exists. */
    public static SharedMemory create(String name, long size) {
        return builder().name(name).size(size).create();
    }

    /** Attaches to the segment {@code name} in the default directory. */
    public static SharedMemory open(String name) {
        return builder().name(name).open();
    }

    public static Builder builder() {
        return new Builder();
    }

    static SharedMemory attach(Handle handle) {
        return new SharedMemory(Segments.attach(handle.directory(), handle.segment(), null), false);
    }

    /**
     * Where segments go unless told otherwise: the system property {@code procshare.shm.dir}, else
     * {@code /dev/shm}, else the temporary directory.
     */
    public static Path defaultDirectory() {
        return Segments.defaultDirectory();
    }

    /** Removes segments in the default directory whose owner process is dead; returns their names. */
    public static List<String> cleanStale() {
        return cleanStale(defaultDirectory());
    }

    /** Every procshare segment in the default directory, with its owner and whether it is stale. */
    public static List<SegmentInfo> list() {
        return list(defaultDirectory());
    }

    /** Every procshare segment in {@code directory}. */
    public static List<SegmentInfo> list(Path directory) {
        List<SegmentInfo> out = new java.util.ArrayList<>();
        if (!java.nio.file.Files.isDirectory(directory)) {
            return out;
        }
        for (Segments.Entry e : Segments.list(directory)) {
            SegmentHeader h = e.header();
            long size;
            try {
                size = h != null ? h.payloadSize() : java.nio.file.Files.size(e.file());
            } catch (java.io.IOException gone) {
                continue;
            }
            out.add(new SegmentInfo(e.name(), e.file(), h == null ? null : h.kind().description, size,
                    h == null ? -1 : h.ownerPid(), e.ownerAlive(), h != null && h.persistent(), e.problem()));
        }
        return out;
    }

    /** Removes segments in {@code directory} whose owner is dead (persistent ones are kept). */
    public static List<String> cleanStale(Path directory) {
        return Segments.cleanStale(directory);
    }

    public String name() {
        return segment.name;
    }

    /** Payload size in bytes (the header not included). */
    public long size() {
        return segment.payloadSize();
    }

    public Path directory() {
        return segment.directory;
    }

    /** The backing file. */
    public Path file() {
        return segment.file;
    }

    /** Whether this handle created the segment (and so unlinks it on close). */
    public boolean isOwner() {
        return creator;
    }

    /**
     * The payload as a native-order buffer sharing the memory: a new view each call, position 0, limit
     * {@link #size()}. Plain accesses; valid while this handle is open.
     */
    public ByteBuffer buffer() {
        ByteBuffer b = payload;
        if (b == null) {
            throw new SegmentClosedException("SharedMemory '" + segment.name + "' is closed");
        }
        return b.duplicate().order(ByteOrder.nativeOrder());
    }

    /** Removes the segment's name now; attached processes keep their mappings. */
    public void unlink() {
        Segments.unlink(segment);
    }

    @Override
    public boolean isClosed() {
        return payload == null;
    }

    /** Lets go of this handle; the owner also unlinks the segment unless it is persistent. Idempotent. */
    @Override
    public synchronized void close() {
        if (payload != null) {
            payload = null;
            if (creator && !segment.header.persistent()) {
                Segments.unlink(segment); // at once, even if this JVM holds other handles on it
            }
            Segments.release(segment);
        }
    }

    /** The handle that travels in this one's place: what serializing this writes, too. */
    @Override
    public Portable portable() {
        buffer();
        return new Handle(segment.directory, segment.name, Handle.Kind.RAW, 0);
    }

    @Serial
    private Object writeReplace() {
        return portable();
    }

    @Override
    public String toString() {
        return "SharedMemory[" + segment.name + ", " + segment.payloadSize() + " bytes, " + segment.file
                + (creator ? ", owner" : "") + (payload == null ? ", closed" : "") + "]";
    }

    /** Options for creating or opening a segment. */
    public static final class Builder {
        private Path directory = Segments.defaultDirectory();
        private String name;
        private long size = -1;
        private boolean persistent;

        private Builder() {
        }

        /** The directory of the backing file; default {@link SharedMemory#defaultDirectory()}. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** The name: 1 to 128 of {@code A-Z a-z 0-9 _ . -}. Generated when not set. */
        public Builder name(String name) {
            this.name = Segments.checkName(name);
            return this;
        }

        public Builder size(long size) {
            this.size = Segments.checkPayload(size);
            return this;
        }

        /**
         * Keep the segment when its owner closes it or exits (and in {@link SharedMemory#cleanStale()}); remove
         * it with {@link SharedMemory#unlink()}. Useful with a directory on disk.
         */
        public Builder persistent(boolean persistent) {
            this.persistent = persistent;
            return this;
        }

        public SharedMemory create() {
            if (size < 0) {
                throw new IllegalStateException("SharedMemory.builder(): size(...) is required to create a segment");
            }
            return new SharedMemory(Segments.create(directory, name, SegmentKind.RAW, size, 0, persistent), true);
        }

        public SharedMemory open() {
            if (name == null) {
                throw new IllegalStateException("SharedMemory.builder(): name(...) is required to open a segment");
            }
            return new SharedMemory(Segments.attach(directory, name, null), false);
        }
    }
}
