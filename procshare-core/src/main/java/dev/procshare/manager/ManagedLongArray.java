package dev.procshare.manager;

/**
 * A {@code long[]} held by a manager, Python's {@code Manager().Array('q', ...)}: each operation is one round
 * trip and atomic on the server; bulk reads and writes move a whole range in one trip. For arrays that
 * processes on one host touch often, {@code dev.procshare.memory.SharedLongArray} is faster by orders of
 * magnitude; this one also serves other hosts.
 */
public interface ManagedLongArray {
    int length();

    long get(int index);

    void set(int index, long value);

    /** Adds {@code delta} to the element atomically and returns the new value. */
    long addAndGet(int index, long delta);

    /** A copy of the whole array. */
    long[] toArray();

    /** A copy of elements {@code from} (inclusive) to {@code to} (exclusive). */
    long[] toArray(int from, int to);

    /** Writes {@code values} starting at {@code index}, atomically. */
    void copyFrom(int index, long[] values);
}
