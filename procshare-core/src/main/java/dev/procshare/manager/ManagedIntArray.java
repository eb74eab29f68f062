package dev.procshare.manager;

/**
 * An {@code int[]} held by a manager, Python's {@code Manager().Array('i', ...)}: each operation is one round
 * trip and atomic on the server; bulk reads and writes move a whole range in one trip. For arrays that
 * processes on one host touch often, {@code dev.procshare.memory.SharedIntArray} is faster by orders of
 * magnitude; this one also serves other hosts.
 */
public interface ManagedIntArray {
    int length();

    int get(int index);

    void set(int index, int value);

    /** Adds {@code delta} to the element atomically and returns the new value. */
    int addAndGet(int index, int delta);

    /** A copy of the whole array. */
    int[] toArray();

    /** A copy of elements {@code from} (inclusive) to {@code to} (exclusive). */
    int[] toArray(int from, int to);

    /** Writes {@code values} starting at {@code index}, atomically. */
    void copyFrom(int index, int[] values);
}
