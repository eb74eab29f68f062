package dev.procshare.memory;

import java.nio.file.Path;

/**
 * One procshare segment as found on disk, for listing and cleaning tools ({@code procshare ls}).
 *
 * @param name the segment's name (what {@code open(name)} takes)
 * @param file its file
 * @param kind what it holds ({@code "SharedMemory"}, {@code "SharedLongArray"}, a value slab, ...), or null if
 *     its header is unreadable
 * @param size payload bytes, or the file's size if the header is unreadable
 * @param ownerPid the creating process, or -1 if unknown
 * @param ownerAlive whether that process still runs (a dead owner's segment is stale unless persistent)
 * @param persistent whether it outlives its owner on purpose
 * @param problem why the header could not be read, or null
 */
public record SegmentInfo(String name, Path file, String kind, long size, long ownerPid, boolean ownerAlive,
        boolean persistent, String problem) {

    /** Whether {@link SharedMemory#cleanStale()} would remove it. */
    public boolean stale() {
        return problem == null && !persistent && !ownerAlive;
    }
}
