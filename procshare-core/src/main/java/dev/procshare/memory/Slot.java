package dev.procshare.memory;

import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The memory of one small shared object (a value, a lock, ...): {@link #BLOCK}-byte blocks inside a slab
 * segment. The last int of the first block holds the {@link SlotType} tag.
 *
 * <p>A slot is one handle's view; its owner (the process that created the object) frees it on close. Slots
 * are never reused while their slab lives, so a process that still uses a value another process closed
 * writes to memory nobody else reads: wrong, but never a crash or a corruption of an unrelated value.
 */
final class Slot {
    static final int BLOCK = 64;
    static final int TAG_OFFSET = 56;
    static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    final Segment segment;
    /** Absolute offset of the slot's first byte in {@link #segment}'s buffer. */
    final int offset;
    final SlotType type;
    private final boolean owner;
    private ByteBuffer buffer;

    Slot(Segment segment, int offset, SlotType type, boolean owner) {
        this.segment = segment;
        this.offset = offset;
        this.type = type;
        this.owner = owner;
        this.buffer = segment.buffer();
    }

    /** Attaches to the slot a handle describes, checking that it holds what the handle says. */
    static Slot attach(Handle handle, SlotType type) {
        Segment segment = Segments.attach(handle.directory(), handle.segment(), SegmentKind.SLAB);
        try {
            long offset = handle.offset();
            if (offset < SegmentHeader.SIZE || offset % BLOCK != 0
                    || offset + (long) type.blocks * BLOCK > SegmentHeader.SIZE + segment.payloadSize()) {
                throw new SegmentFormatException("handle offset " + offset + " is not a slot of segment '"
                        + handle.segment() + "'");
            }
            int tag = (int) INTS.getVolatile(segment.buffer(), (int) offset + TAG_OFFSET);
            if (tag != type.tag) {
                throw new SegmentFormatException("slot " + offset + " of segment '" + handle.segment() + "' holds "
                        + SlotType.describe(tag) + ", not a " + type.typeName);
            }
            return new Slot(segment, (int) offset, type, false);
        } catch (RuntimeException e) {
            Segments.release(segment);
            throw e;
        }
    }

    /**
     * The mapping to access, or a {@link SegmentClosedException} once this handle is closed. A plain read: a
     * thread that races with {@code close()} of the same handle may still complete one access, safely.
     */
    ByteBuffer buffer() {
        ByteBuffer b = buffer;
        if (b == null) {
            throw new SegmentClosedException(type.typeName + " in segment '" + segment.name + "' at offset " + offset
                    + " is closed");
        }
        return b;
    }

    boolean isClosed() {
        return buffer == null;
    }

    boolean isOwner() {
        return owner;
    }

    Handle handle() {
        return new Handle(segment.directory, segment.name, Handle.Kind.valueOf(type.name()), offset);
    }

    /** Idempotent. The owner frees the slot; anyone else just lets go of the mapping. */
    synchronized void close() {
        if (buffer == null) {
            return;
        }
        buffer = null;
        if (owner) {
            Slabs.free(this);
        } else {
            Segments.release(segment);
        }
    }

    String describe() {
        return "segment=" + segment.name + ", offset=" + offset + (owner ? ", owner" : "")
                + (buffer == null ? ", closed" : "");
    }
}
