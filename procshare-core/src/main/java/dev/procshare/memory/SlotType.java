package dev.procshare.memory;

/** What a slot in a value slab holds; the tag is stored in the slot so a handle of another type is refused. */
enum SlotType {
    BOOLEAN(0x5001, "SharedBoolean", 1),
    INT(0x5002, "SharedInt", 1),
    LONG(0x5003, "SharedLong", 1),
    DOUBLE(0x5004, "SharedDouble", 1),
    LOCK(0x5005, "SharedLock", 1),
    SEMAPHORE(0x5006, "SharedSemaphore", 1 + SharedSemaphore.HOLDER_BLOCKS),
    EVENT(0x5007, "SharedEvent", 1);

    /** Tag of a slot whose value was closed by its owner. */
    static final int FREED = 0x5FFF;

    final int tag;
    final String typeName;
    final int blocks;

    SlotType(int tag, String typeName, int blocks) {
        this.tag = tag;
        this.typeName = typeName;
        this.blocks = blocks;
    }

    static String describe(int tag) {
        for (SlotType t : values()) {
            if (t.tag == tag) {
                return "a " + t.typeName;
            }
        }
        return tag == FREED ? "a value its owner has closed" : "nothing (tag " + tag + ")";
    }
}
