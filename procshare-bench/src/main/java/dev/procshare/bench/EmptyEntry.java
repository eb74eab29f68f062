package dev.procshare.bench;

import dev.procshare.process.ProcessEntry;

/** An empty {@link ProcessEntry}: the cost of a child started without Java serialization. */
public final class EmptyEntry implements ProcessEntry {
    public EmptyEntry() {
    }

    @Override
    public byte[] run(byte[] input) {
        return null;
    }
}
