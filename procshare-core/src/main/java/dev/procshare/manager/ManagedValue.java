package dev.procshare.manager;

import dev.procshare.process.SerializableFunction;

/**
 * One value held by a manager, Python's {@code Manager().Value}: every operation is one round trip and
 * atomic on the server. {@link #get} returns a copy. Compare-and-set compares with {@code equals}.
 */
public interface ManagedValue<T> {
    T get();

    void set(T value);

    T getAndSet(T value);

    boolean compareAndSet(T expect, T update);

    /** Applies {@code fn} on the server atomically and returns the new value. */
    T update(SerializableFunction<T, T> fn);

    /** Applies {@code fn} on the server atomically and returns the old value. */
    T getAndUpdate(SerializableFunction<T, T> fn);
}
