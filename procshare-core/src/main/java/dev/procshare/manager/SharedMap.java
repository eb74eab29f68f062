package dev.procshare.manager;

import dev.procshare.process.SerializableBiFunction;
import dev.procshare.process.SerializableFunction;
import java.util.concurrent.ConcurrentMap;

/**
 * A map held by a manager, Python's {@code Manager().dict()}, as a {@link ConcurrentMap}: single-key
 * operations ({@code putIfAbsent}, {@code replace}, {@code compute}, {@code merge}, ...) are atomic on the
 * server, and their functions travel there serialized and run there. The serializable overloads below are
 * picked for lambdas; a function that is not serializable is refused with an error saying so.
 *
 * <p>{@code get} returns a copy. Views ({@code keySet()}, {@code entrySet()}, {@code values()}) and iteration
 * work on a snapshot taken by one call; removing through them removes on the server. {@code equals} is
 * identity of the remote map, not element comparison. Keys and values may not be null.
 */
public interface SharedMap<K, V> extends ConcurrentMap<K, V> {
    V compute(K key, SerializableBiFunction<? super K, ? super V, ? extends V> fn);

    V computeIfAbsent(K key, SerializableFunction<? super K, ? extends V> fn);

    V computeIfPresent(K key, SerializableBiFunction<? super K, ? super V, ? extends V> fn);

    V merge(K key, V value, SerializableBiFunction<? super V, ? super V, ? extends V> fn);
}
