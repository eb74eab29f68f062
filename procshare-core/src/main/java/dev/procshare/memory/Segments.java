package dev.procshare.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This JVM's table of mapped segments: creates, attaches (one mapping per file, reference-counted), releases
 * and unlinks them, unlinks what it owns at exit, and removes what dead owners left behind.
 */
final class Segments {
    static final String PREFIX = "procshare-";
    /** The largest segment file: one {@code ByteBuffer} mapping is int-indexed. */
    static final long MAX_FILE_SIZE = Integer.MAX_VALUE - 7L; // 2 GiB - 8, a multiple of 8
    static final long MAX_PAYLOAD = MAX_FILE_SIZE - SegmentHeader.SIZE;

    private static final Set<StandardOpenOption> CREATE = Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE);

    private static final Object LOCK = new Object();
    private static final Map<Path, Segment> MAPPED = new HashMap<>();
    private static volatile boolean defaultDirectoryCleaned;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Segments::unlinkOwnedAtExit, "procshare-segment-cleanup"));
    }

    private Segments() {
    }

    /** {@code /dev/shm}, or the system property {@code procshare.shm.dir}, or the temp directory. */
    static Path defaultDirectory() {
        String configured = System.getProperty("procshare.shm.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    static Path fileOf(Path directory, String name) {
        return directory.resolve(PREFIX + name);
    }

    static String checkName(String name) {
        if (!validName(name)) {
            throw new IllegalArgumentException("invalid segment name '" + name + "': use 1 to 128 of A-Z a-z 0-9 _ . -"
                    + ", not starting with '.' or '-'");
        }
        return name;
    }

    /** {@code [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}}, checked by hand (see {@link TempFiles}). */
    private static boolean validName(String name) {
        if (name == null || name.isEmpty() || name.length() > 128) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean plain = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_';
            if (!plain && (i == 0 || c != '.' && c != '-')) {
                return false;
            }
        }
        return true;
    }

    static long checkPayload(long payload) {
        if (payload < 0 || payload > MAX_PAYLOAD) {
            throw new IllegalArgumentException("segment size " + payload + " is out of range: 0 to " + MAX_PAYLOAD
                    + " bytes (2 GiB less the header) per segment");
        }
        return payload;
    }

    /**
     * Creates a new segment file (complete before its name appears: written under a temporary name, then
     * linked), maps it and registers it as owned by this process.
     *
     * @param name the segment name, or null for a fresh unique one
     */
    static Segment create(Path directory, String name, SegmentKind kind, long payload, long elements,
                          boolean persistent) {
        checkPayload(payload);
        cleanDefaultDirectoryOnce(directory);
        boolean generated = name == null;
        for (int attempt = 0; ; attempt++) {
            String segmentName = generated ? generateName() : checkName(name);
            try {
                return createOnce(directory, segmentName, kind, payload, elements, persistent);
            } catch (FileAlreadyExistsException e) {
                if (!generated || attempt > 10) {
                    throw new SharedMemoryException("segment '" + segmentName + "' already exists in " + directory
                            + ": open it, or choose another name");
                }
            } catch (IOException e) {
                throw new SharedMemoryException("cannot create segment '" + segmentName + "' in " + directory
                        + ": " + e, e);
            }
        }
    }

    private static Segment createOnce(Path directory, String name, SegmentKind kind, long payload, long elements,
                                      boolean persistent) throws IOException {
        long fileSize = SegmentHeader.SIZE + payload;
        long usable = Files.getFileStore(directory).getUsableSpace();
        if (fileSize > usable) {
            // On tmpfs a mapping beyond the free space kills the process with SIGBUS when touched.
            throw new SharedMemoryException("cannot create segment '" + name + "' of " + fileSize + " bytes: only "
                    + usable + " bytes free in " + directory);
        }
        Path file = fileOf(directory, name);
        Path temp = directory.resolve("." + PREFIX + name + "." + ProcessIdentity.pid() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
        SegmentHeader header = new SegmentHeader(kind, persistent ? SegmentHeader.FLAG_PERSISTENT : 0, payload,
                ProcessIdentity.pid(), ProcessIdentity.start(), elements);
        Mapping mapping;
        try {
            try (FileChannel channel = FileChannel.open(temp, CREATE, ownerOnly(directory))) {
                allocate(channel, fileSize);
                ByteBuffer encoded = header.encode();
                while (encoded.hasRemaining()) {
                    channel.write(encoded, encoded.position());
                }
                mapping = Mapping.map(channel, fileSize);
            }
            try {
                // A link fails if the name exists: creation is exclusive and the name never shows a partial file.
                Files.createLink(file, temp);
            } catch (IOException e) {
                mapping.close();
                throw e;
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        Segment segment = new Segment(directory, name, file, header, true, key, mapping);
        synchronized (LOCK) {
            MAPPED.put(file, segment);
        }
        return segment;
    }

    /**
     * Writes zeros over the whole file so that tmpfs reserves its pages now: a full {@code /dev/shm} then fails
     * here with an {@code IOException} instead of killing a process with SIGBUS when it first touches a page.
     */
    private static void allocate(FileChannel channel, long size) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(size, 1 << 20));
        for (long position = 0; position < size; ) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), size - position));
            position += channel.write(zeros, position);
        }
    }

    /**
     * Maps an existing segment, or takes one more reference on this JVM's mapping of it.
     *
     * @param expected the kind the caller needs, or null for any
     */
    static Segment attach(Path directory, String name, SegmentKind expected) {
        checkName(name);
        // no clean-up of dead JVMs' segments here: the creator of this one did it, and a child attaching to its
        // parent's handles would pay for listing the whole directory before its first task
        Path file = fileOf(directory, name);
        synchronized (LOCK) {
            Segment known = MAPPED.get(file);
            if (known != null && sameFile(known)) {
                checkKind(known.name, known.kind(), expected);
                checkNotTruncated(known);
                if (known.retain()) {
                    return known;
                }
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
                SegmentHeader header = SegmentHeader.read(name, file, channel);
                checkKind(name, header.kind(), expected);
                // Mapped through the channel that read the header: the same file, whatever renames happen.
                Mapping mapping = Mapping.map(channel, SegmentHeader.SIZE + header.payloadSize());
                Segment segment = new Segment(directory, name, file, header, false, key, mapping);
                MAPPED.put(file, segment);
                return segment;
            } catch (NoSuchFileException e) {
                throw new SegmentNotFoundException("no segment '" + name + "' in " + directory
                        + ": it was never created, or its owner closed it, or it was cleaned up");
            } catch (IOException e) {
                throw new SharedMemoryException("cannot open segment '" + name + "' (" + file + "): " + e, e);
            }
        }
    }

    private static void checkKind(String name, SegmentKind actual, SegmentKind expected) {
        if (expected != null && actual != expected) {
            throw new SegmentFormatException("segment '" + name + "' holds a " + actual.description + ", not a "
                    + expected.description);
        }
    }

    private static void checkNotTruncated(Segment segment) {
        try {
            long size = Files.size(segment.file);
            if (size < SegmentHeader.SIZE + segment.payloadSize()) {
                throw new SegmentFormatException("segment '" + segment.name + "' is truncated: its header promises "
                        + segment.payloadSize() + " payload bytes but the file holds " + (size - SegmentHeader.SIZE));
            }
        } catch (IOException e) {
            throw new SharedMemoryException("cannot read segment '" + segment.name + "': " + e, e);
        }
    }

    private static boolean sameFile(Segment segment) {
        try {
            Object key = Files.readAttributes(segment.file, BasicFileAttributes.class).fileKey();
            return key != null && key.equals(segment.fileKey);
        } catch (IOException e) {
            return false; // unlinked: a new attach must fail with "not found", not reuse the old mapping
        }
    }

    /** Drops one reference; the last one unmaps, and unlinks the file if this process owns it. */
    static void release(Segment segment) {
        boolean last;
        synchronized (LOCK) {
            last = segment.drop();
            if (last) {
                MAPPED.remove(segment.file, segment);
            }
        }
        if (last) {
            try {
                if (segment.owned && !segment.header.persistent()) {
                    unlink(segment);
                }
            } finally {
                segment.unmap();
            }
        }
    }

    /** Removes the segment's name (if it still names this segment); mappings stay valid until released. */
    static void unlink(Segment segment) {
        synchronized (LOCK) {
            if (!segment.markUnlinked() || !sameFile(segment)) {
                return;
            }
            try {
                Files.deleteIfExists(segment.file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot unlink " + segment.file, e);
            }
        }
    }

    private static void unlinkOwnedAtExit() {
        synchronized (LOCK) {
            for (Segment segment : MAPPED.values()) {
                if (segment.owned && !segment.header.persistent() && sameFile(segment)) {
                    try {
                        Files.deleteIfExists(segment.file);
                    } catch (IOException ignored) {
                        // best effort at exit; cleanStale() removes it later
                    }
                }
            }
        }
    }

    private static void cleanDefaultDirectoryOnce(Path directory) {
        if (!defaultDirectoryCleaned && directory.equals(defaultDirectory())) {
            defaultDirectoryCleaned = true;
            // In the background: it only removes what dead processes left, which nothing here waits for, and
            // listing the directory and reading every header is a good part of a cold first create().
            // No lambda, stream or regex on this path: it runs beside a cold JVM's first create (two cores).
            Thread cleaner = new Thread("procshare-segment-cleanup") {
                @Override
                public void run() {
                    try {
                        cleanStale(directory);
                    } catch (RuntimeException ignored) {
                        // an unreadable directory is reported by the operation itself
                    }
                }
            };
            cleaner.setDaemon(true);
            cleaner.start();
        }
    }

    /** What {@link #list} reports of one file. */
    record Entry(String name, Path file, SegmentHeader header, String problem, Object fileKey) {
        boolean ownerAlive() {
            return header != null && ProcessIdentity.isAlive(header.ownerPid(), header.ownerStart());
        }
    }

    /** Every procshare segment in {@code directory}, with its header or what is wrong with it. */
    static List<Entry> list(Path directory) {
        List<Entry> entries = new ArrayList<>();
        for (Path file : sortedFiles(directory)) {
            {
                String fileName = file.getFileName().toString();
                if (!fileName.startsWith(PREFIX)) {
                    continue;
                }
                String name = fileName.substring(PREFIX.length());
                Object key = null;
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                    key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
                    entries.add(new Entry(name, file, SegmentHeader.read(name, file, channel), null, key));
                } catch (SegmentFormatException e) {
                    entries.add(new Entry(name, file, null, e.getMessage(), key));
                } catch (IOException e) {
                    // vanished while listing, or not ours to read
                }
            }
        }
        return entries;
    }

    private static List<Path> sortedFiles(Path directory) {
        List<Path> files = new ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            for (Path file : stream) {
                files.add(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
        java.util.Collections.sort(files);
        return files;
    }

    /**
     * The pid in the name of a creation's temporary file, {@code .procshare-NAME.PID.HEX.tmp}; -1 if the name
     * is not one (parsed by hand: a cold JVM's first regex costs it ~20 ms).
     */
    static long tempFileOwner(String fileName) {
        if (!fileName.startsWith("." + PREFIX) || !fileName.endsWith(".tmp")) {
            return -1;
        }
        int hexEnd = fileName.length() - 4;
        int hexStart = fileName.lastIndexOf('.', hexEnd - 1) + 1;
        int pidStart = fileName.lastIndexOf('.', hexStart - 2) + 1;
        if (hexStart <= 0 || pidStart <= PREFIX.length() + 1 || hexStart == hexEnd || pidStart == hexStart - 1) {
            return -1;
        }
        for (int i = hexStart; i < hexEnd; i++) {
            char c = fileName.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return -1;
            }
        }
        long pid = 0;
        for (int i = pidStart; i < hexStart - 1; i++) {
            char c = fileName.charAt(i);
            if (c < '0' || c > '9' || pid > Long.MAX_VALUE / 10 - 9) {
                return -1;
            }
            pid = pid * 10 + (c - '0');
        }
        return pid;
    }

    /**
     * Removes segments whose owner process is dead (unless created persistent) and temporary files of
     * creations that a dead process left half done. Files that are not readable procshare segments are left
     * alone. Returns the names removed.
     */
    static List<String> cleanStale(Path directory) {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return removed;
        }
        for (Entry entry : list(directory)) {
            if (entry.header() != null && !entry.header().persistent() && !entry.ownerAlive()
                    && stillSameFile(entry) && deleteQuietly(entry.file())) {
                removed.add(entry.name());
            }
        }
        for (Path file : sortedFiles(directory)) {
            long owner = tempFileOwner(file.getFileName().toString());
            if (owner >= 0 && !ProcessIdentity.isAlive(owner, 0) && deleteQuietly(file)) {
                removed.add(file.getFileName().toString());
            }
        }
        return removed;
    }

    /** Narrows the race with a process that re-creates the name between our read and our delete. */
    private static boolean stillSameFile(Entry entry) {
        try {
            Object key = Files.readAttributes(entry.file(), BasicFileAttributes.class).fileKey();
            return key != null && key.equals(entry.fileKey());
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean deleteQuietly(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            return false;
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path directory) {
        if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
        }
        return new FileAttribute<?>[0];
    }

    private static String generateName() {
        return "p" + ProcessIdentity.pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4);
    }
}
