package dev.procshare.manager;

import dev.procshare.process.SerializableBiFunction;
import dev.procshare.process.SerializableFunction;
import java.io.Serializable;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

final class MapProxy<K, V> extends RemoteObject implements SharedMap<K, V> {
    private static final long serialVersionUID = 1L;

    MapProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        super(client, ref, fresh);
    }

    @SuppressWarnings("unchecked")
    private V v(Object o) {
        return (V) o;
    }

    @Override
    public int size() {
        return (Integer) call("size");
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public boolean containsKey(Object key) {
        return (Boolean) call("containsKey", Objects.requireNonNull(key));
    }

    @Override
    public boolean containsValue(Object value) {
        return (Boolean) call("containsValue", Objects.requireNonNull(value));
    }

    @Override
    public V get(Object key) {
        return v(call("get", Objects.requireNonNull(key)));
    }

    @Override
    public V getOrDefault(Object key, V defaultValue) {
        return v(call("getOrDefault", Objects.requireNonNull(key), defaultValue));
    }

    @Override
    public V put(K key, V value) {
        return v(call("put", Objects.requireNonNull(key), Objects.requireNonNull(value)));
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return v(call("putIfAbsent", Objects.requireNonNull(key), Objects.requireNonNull(value)));
    }

    @Override
    public V remove(Object key) {
        return v(call("remove", Objects.requireNonNull(key)));
    }

    @Override
    public boolean remove(Object key, Object value) {
        return (Boolean) call("removeValue", Objects.requireNonNull(key), value);
    }

    @Override
    public V replace(K key, V value) {
        return v(call("replace", Objects.requireNonNull(key), Objects.requireNonNull(value)));
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        return (Boolean) call("replaceValue", Objects.requireNonNull(key), oldValue, Objects.requireNonNull(newValue));
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        call("putAll", new LinkedHashMap<>(m));
    }

    @Override
    public void clear() {
        call("clear");
    }

    @SuppressWarnings("unchecked")
    private Map<K, V> snapshot() {
        return (Map<K, V>) call("snapshot");
    }

    @Override
    public Set<K> keySet() {
        return new RemovingSet<>(snapshot().keySet());
    }

    @Override
    public java.util.Collection<V> values() {
        return java.util.Collections.unmodifiableCollection(snapshot().values());
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return new RemovingSet<>(snapshot().entrySet());
    }

    /** A snapshot whose iterator's {@code remove} removes the key on the server. */
    private final class RemovingSet<E> extends AbstractSet<E> {
        private final Set<E> items;

        RemovingSet(Set<E> items) {
            this.items = items;
        }

        @Override
        public Iterator<E> iterator() {
            return RemoteRef.removingIterator(items.iterator(),
                    last -> MapProxy.this.remove(last instanceof Map.Entry<?, ?> e ? e.getKey() : last));
        }

        @Override
        public int size() {
            return items.size();
        }
    }

    private static <F> F serializable(F fn, String what) {
        if (!(fn instanceof Serializable)) {
            throw new IllegalArgumentException(what + " runs on the manager's server, so it must be serializable: pass a"
                    + " lambda where a SerializableFunction/SerializableBiFunction is expected (this map's own"
                    + " overloads take them), or cast it to one");
        }
        return Objects.requireNonNull(fn);
    }

    @Override
    public V compute(K key, SerializableBiFunction<? super K, ? super V, ? extends V> fn) {
        return v(call("compute", Objects.requireNonNull(key), fn));
    }

    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> fn) {
        return v(call("compute", Objects.requireNonNull(key), serializable(fn, "compute's function")));
    }

    @Override
    public V computeIfAbsent(K key, SerializableFunction<? super K, ? extends V> fn) {
        return v(call("computeIfAbsent", Objects.requireNonNull(key), fn));
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> fn) {
        return v(call("computeIfAbsent", Objects.requireNonNull(key), serializable(fn, "computeIfAbsent's function")));
    }

    @Override
    public V computeIfPresent(K key, SerializableBiFunction<? super K, ? super V, ? extends V> fn) {
        return v(call("computeIfPresent", Objects.requireNonNull(key), fn));
    }

    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> fn) {
        return v(call("computeIfPresent", Objects.requireNonNull(key), serializable(fn, "computeIfPresent's function")));
    }

    @Override
    public V merge(K key, V value, SerializableBiFunction<? super V, ? super V, ? extends V> fn) {
        return v(call("merge", Objects.requireNonNull(key), Objects.requireNonNull(value), fn));
    }

    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> fn) {
        return v(call("merge", Objects.requireNonNull(key), Objects.requireNonNull(value),
                serializable(fn, "merge's function")));
    }

    @Override
    public void forEach(java.util.function.BiConsumer<? super K, ? super V> action) {
        snapshot().forEach(action);
    }

    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> fn) {
        for (K key : snapshot().keySet()) {
            computeIfPresent(key, serializable(fn, "replaceAll's function"));
        }
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
