package dev.procshare.memory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The first {@value #SIZE} bytes of every segment file. Read with plain file I/O before mapping, so that a
 * file of the wrong kind or a truncated one is refused before any access could fault.
 *
 * <pre>
 *  0 magic "PSHMEM01"   8 layout version (int)   12 kind (int)   16 header size (int)   20 flags (int)
 * 24 payload bytes     32 owner pid              40 owner start (see ProcessIdentity)  48 element count
 * </pre>
 */
record SegmentHeader(SegmentKind kind, int flags, long payloadSize, long ownerPid, long ownerStart,
                     long elements) {
    static final int SIZE = 128;
    static final long MAGIC = 0x3130_4D45_4D48_5350L; // "PSHMEM01" read as little-endian
    static final int VERSION = 1;
    static final int FLAG_PERSISTENT = 1;

    boolean persistent() {
        return (flags & FLAG_PERSISTENT) != 0;
    }

    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, MAGIC).putInt(8, VERSION).putInt(12, kind.code).putInt(16, SIZE).putInt(20, flags)
                .putLong(24, payloadSize).putLong(32, ownerPid).putLong(40, ownerStart).putLong(48, elements);
        return b;
    }

    /**
     * Reads and checks the header of {@code file} (open on {@code channel}).
     *
     * @throws SegmentFormatException naming what is wrong with the file
     */
    static SegmentHeader read(String name, Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < SIZE) {
            throw new SegmentFormatException("segment '" + name + "' (" + file + ") is truncated or not a procshare"
                    + " segment: " + fileSize + " bytes, a segment has at least " + SIZE);
        }
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && channel.read(b, b.position()) > 0) {
            // read the whole header
        }
        if (b.getLong(0) != MAGIC) {
            throw new SegmentFormatException("'" + file + "' is not a procshare segment (bad magic number)");
        }
        int version = b.getInt(8);
        if (version != VERSION || b.getInt(16) != SIZE) {
            throw new SegmentFormatException("segment '" + name + "' has layout version " + version
                    + "; this library reads version " + VERSION);
        }
        SegmentKind kind = SegmentKind.ofCode(b.getInt(12));
        long payload = b.getLong(24);
        if (kind == null || payload < 0 || payload > Segments.MAX_PAYLOAD) {
            throw new SegmentFormatException("segment '" + name + "' has a corrupt header (kind " + b.getInt(12)
                    + ", payload " + payload + ")");
        }
        if (fileSize < SIZE + payload) {
            throw new SegmentFormatException("segment '" + name + "' is truncated: its header promises " + payload
                    + " payload bytes but the file holds " + (fileSize - SIZE));
        }
        return new SegmentHeader(kind, b.getInt(20), payload, b.getLong(32), b.getLong(40), b.getLong(48));
    }
}
