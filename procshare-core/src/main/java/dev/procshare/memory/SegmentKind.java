package dev.procshare.memory;

/** What a segment holds; stored in its header so that opening it as something else fails clearly. */
enum SegmentKind {
    RAW(1, "SharedMemory", 1),
    SLAB(2, "value slab (SharedLong, SharedLock, ...)", 1),
    INT_ARRAY(3, "SharedIntArray", Integer.BYTES),
    LONG_ARRAY(4, "SharedLongArray", Long.BYTES),
    DOUBLE_ARRAY(5, "SharedDoubleArray", Double.BYTES),
    BYTE_ARRAY(6, "SharedByteArray", 1),
    SHAREABLE_LIST(7, "ShareableList", 1),
    RECORD(8, "SharedRecord", 1),
    QUEUE(9, "SharedQueue", 1);

    final int code;
    final String description;
    final int elementSize;

    SegmentKind(int code, String description, int elementSize) {
        this.code = code;
        this.description = description;
        this.elementSize = elementSize;
    }

    static SegmentKind ofCode(int code) {
        for (SegmentKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        return null;
    }
}
