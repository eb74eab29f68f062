package dev.procshare.manager;

/**
 * A {@code double[]} held by a manager, Python's {@code Manager().Array('d', ...)}: each operation is one round
 * trip and atomic on the server; bulk reads and writes move a whole range in one trip. For arrays that
 * processes on one host touch often, {@code dev.procshare.memory.SharedDoubleArray} is faster by orders of
 * magnitude; this one also serves other hosts.
 */
public interface ManagedDoubleArray {
    int length();

    double get(int index);

    void set(int index, double value);

    /** Adds {@code delta} to the element atomically and returns the new value. */
    double addAndGet(int index, double delta);

    /** A copy of the whole array. */
    double[] toArray();

    /** A copy of elements {@code from} (inclusive) to {@code to} (exclusive). */
    double[] toArray(int from, int to);

    /** Writes {@code values} starting at {@code index}, atomically. */
    void copyFrom(int index, double[] values);
}
