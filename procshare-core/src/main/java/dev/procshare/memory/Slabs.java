package dev.procshare.memory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Hands out slots for small shared objects from slab segments of {@value #SLAB_BYTES} bytes, so that ten
 * thousand counters take three files, not ten thousand. Allocation only moves forward in a slab; a slab is
 * unlinked when the last object in it is closed.
 */
final class Slabs {
    static final int SLAB_BYTES = 256 * 1024;
    private static final int BLOCKS = SLAB_BYTES / Slot.BLOCK;

    private static final Map<Path, Slab> CURRENT = new HashMap<>();
    private static final Map<Segment, Slab> BY_SEGMENT = new HashMap<>();

    private static final class Slab {
        final Segment segment;
        int nextBlock;
        int live;

        Slab(Segment segment) {
            this.segment = segment;
        }
    }

    private Slabs() {
    }

    /** A fresh slot of {@code type}, zeroed and tagged. */
    static synchronized Slot allocate(Path directory, SlotType type) {
        Slab slab = CURRENT.get(directory);
        if (slab == null || slab.nextBlock + type.blocks > BLOCKS) {
            slab = new Slab(Segments.create(directory, null, SegmentKind.SLAB, SLAB_BYTES, 0, false));
            CURRENT.put(directory, slab);
            BY_SEGMENT.put(slab.segment, slab);
        }
        int offset = SegmentHeader.SIZE + slab.nextBlock * Slot.BLOCK;
        slab.nextBlock += type.blocks;
        slab.live++;
        // The tag is published last, so a handle attached in another process never sees a half-made slot.
        Slot.INTS.setRelease(slab.segment.buffer(), offset + Slot.TAG_OFFSET, type.tag);
        return new Slot(slab.segment, offset, type, true);
    }

    static synchronized void free(Slot slot) {
        Slot.INTS.setRelease(slot.segment.buffer(), slot.offset + Slot.TAG_OFFSET, SlotType.FREED);
        Slab slab = BY_SEGMENT.get(slot.segment);
        if (slab == null || --slab.live > 0) {
            return;
        }
        BY_SEGMENT.remove(slot.segment);
        CURRENT.remove(slot.segment.directory, slab);
        Segments.release(slab.segment);
    }
}
