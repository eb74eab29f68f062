package dev.procshare.manager;

import dev.procshare.process.SerializableFunction;
import java.util.Set;

/**
 * Named values held by a manager, Python's {@code Manager().Namespace()}: every process with this proxy sees
 * the same attributes. Each call is one round trip and atomic on the server; {@link #get} returns a copy
 * (changing it changes nothing shared until it is {@link #set} back), so read-modify-write across processes
 * must use {@link #update} or {@link #compareAndSet}, which cannot lose updates.
 *
 * <p>Values cross as bytes: {@code null}, primitives' boxes, strings, primitive arrays and lists and maps of
 * those directly, other classes through Java serialization if the manager's allow-list admits them. If the
 * server dies, calls fail with {@link ManagerUnavailableException}.
 */
public interface Namespace {
    /** The value of {@code name}, or null if it has none; a copy of the server's. */
    <T> T get(String name);

    /** Sets {@code name} for every process. */
    void set(String name, Object value);

    /** Removes {@code name}; true if it existed. */
    boolean delete(String name);

    boolean contains(String name);

    /** The names, sorted; a snapshot. */
    Set<String> keys();

    /**
     * Replaces the value of {@code name} by {@code fn(value)} atomically, on the server (the function travels
     * there serialized and runs there; the value is null if there was none); returns the new value. Two
     * processes updating at once are serialized: neither update is lost.
     */
    <T> T update(String name, SerializableFunction<T, T> fn);

    /** Sets {@code name} to {@code update} if its value equals {@code expect} (null: absent or null), atomically. */
    boolean compareAndSet(String name, Object expect, Object update);
}
