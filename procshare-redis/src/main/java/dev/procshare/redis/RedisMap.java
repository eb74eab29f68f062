package dev.procshare.redis;

import dev.procshare.manager.SharedMap;
import dev.procshare.process.SerializableBiFunction;
import dev.procshare.process.SerializableFunction;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.redisson.api.RScript;

/**
 * A {@link SharedMap} in one Redis hash: a field per key (the key's encoded bytes, so keys are equal when
 * their encodings are: strings, numbers and other values with one encoding), the value's bytes. Single-key
 * operations are one script each, or a compare-and-set loop for the ones with functions.
 */
final class RedisMap<K, V> extends RedisObject implements SharedMap<K, V> {
    private static final long serialVersionUID = 1L;

    private static final String PUT = "local o = redis.call('HGET', KEYS[1], ARGV[1]) "
            + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return o";
    private static final String PUT_IF_ABSENT = "local o = redis.call('HGET', KEYS[1], ARGV[1]) "
            + "if o == false then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end return o";
    private static final String REPLACE = "local o = redis.call('HGET', KEYS[1], ARGV[1]) "
            + "if o ~= false then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end return o";
    private static final String REMOVE = "local o = redis.call('HGET', KEYS[1], ARGV[1]) "
            + "redis.call('HDEL', KEYS[1], ARGV[1]) return o";

    RedisMap(RedisLink link, RedisRef ref) {
        super(link, ref);
    }

    private byte[] k(Object key) {
        return link.encode(Objects.requireNonNull(key, "a manager map's keys may not be null"));
    }

    private byte[] v(Object value) {
        return link.encode(Objects.requireNonNull(value, "a manager map's values may not be null"));
    }

    private V one(String lua, Object... args) {
        return link.decode(link.eval(lua, RScript.ReturnType.VALUE, key, args));
    }

    @Override
    public int size() {
        return (int) link.evalLong("return redis.call('HLEN', KEYS[1])", List.of(key));
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public boolean containsKey(Object k) {
        return link.evalLong("return redis.call('HEXISTS', KEYS[1], ARGV[1])", List.of(key), k(k)) > 0;
    }

    @Override
    public boolean containsValue(Object value) {
        return snapshot().containsValue(Objects.requireNonNull(value));
    }

    @Override
    public V get(Object k) {
        byte[] b = Cas.read(link, key, k(k));
        return b == Cas.ABSENT ? null : link.decode(b);
    }

    @Override
    public V put(K k, V value) {
        return one(PUT, k(k), v(value));
    }

    @Override
    public V putIfAbsent(K k, V value) {
        return one(PUT_IF_ABSENT, k(k), v(value));
    }

    @Override
    public V replace(K k, V value) {
        return one(REPLACE, k(k), v(value));
    }

    @Override
    public V remove(Object k) {
        return one(REMOVE, k(k));
    }

    @Override
    public boolean remove(Object k, Object value) {
        if (value == null) {
            return false;
        }
        byte[] field = k(k);
        while (true) {
            byte[] current = Cas.read(link, key, field);
            if (current == Cas.ABSENT || !Objects.equals(link.decode(current), value)) {
                return false;
            }
            if (Cas.write(link, key, field, current, null)) {
                return true;
            }
        }
    }

    @Override
    public boolean replace(K k, V oldValue, V newValue) {
        byte[] update = v(newValue);
        byte[] field = k(k);
        while (true) {
            byte[] current = Cas.read(link, key, field);
            if (current == Cas.ABSENT || !Objects.equals(link.decode(current), oldValue)) {
                return false;
            }
            if (Cas.write(link, key, field, current, update)) {
                return true;
            }
        }
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        if (m.isEmpty()) {
            return;
        }
        List<Object> args = new ArrayList<>();
        m.forEach((k, value) -> {
            args.add(k(k));
            args.add(v(value));
        });
        link.eval("for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end return 0", RScript.ReturnType.LONG, key, args.toArray());
    }

    @Override
    public void clear() {
        link.eval("return redis.call('DEL', KEYS[1])", RScript.ReturnType.LONG, key);
    }

    /** Every entry, read in one call. */
    private Map<K, V> snapshot() {
        List<Object> flat = link.evalList("return redis.call('HGETALL', KEYS[1])", List.of(key));
        Map<K, V> all = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            all.put(link.decode(flat.get(i)), link.decode(flat.get(i + 1)));
        }
        return all;
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
        Set<Entry<K, V>> entries = new java.util.LinkedHashSet<>();
        for (Entry<K, V> e : snapshot().entrySet()) {
            entries.add(new AbstractMap.SimpleImmutableEntry<>(e));
        }
        return new RemovingSet<>(entries);
    }

    /** A snapshot whose iterator's {@code remove} removes the key in Redis. */
    private final class RemovingSet<E> extends AbstractSet<E> {
        private final Set<E> items;

        RemovingSet(Set<E> items) {
            this.items = items;
        }

        @Override
        public Iterator<E> iterator() {
            return new RemovingIterator<>(items.iterator(),
                    last -> RedisMap.this.remove(last instanceof Map.Entry<?, ?> e ? e.getKey() : last));
        }

        @Override
        public int size() {
            return items.size();
        }
    }

    @SuppressWarnings("unchecked")
    private V applyAt(Object k, Function<V, V> fn) {
        return Cas.apply(link, key, k(k), fn, true).after();
    }

    @Override
    public V compute(K k, SerializableBiFunction<? super K, ? super V, ? extends V> fn) {
        return applyAt(k, old -> fn.apply(k, old));
    }

    @Override
    public V compute(K k, BiFunction<? super K, ? super V, ? extends V> fn) {
        Cas.serializable(fn, "compute's function");
        return applyAt(k, old -> fn.apply(k, old));
    }

    @Override
    public V computeIfAbsent(K k, SerializableFunction<? super K, ? extends V> fn) {
        return computeIfAbsent(k, (Function<? super K, ? extends V>) fn);
    }

    @Override
    public V computeIfAbsent(K k, Function<? super K, ? extends V> fn) {
        Cas.serializable(fn, "computeIfAbsent's function");
        return applyAt(k, old -> old != null ? old : fn.apply(k));
    }

    @Override
    public V computeIfPresent(K k, SerializableBiFunction<? super K, ? super V, ? extends V> fn) {
        return computeIfPresent(k, (BiFunction<? super K, ? super V, ? extends V>) fn);
    }

    @Override
    public V computeIfPresent(K k, BiFunction<? super K, ? super V, ? extends V> fn) {
        Cas.serializable(fn, "computeIfPresent's function");
        return applyAt(k, old -> old == null ? null : fn.apply(k, old));
    }

    @Override
    public V merge(K k, V value, SerializableBiFunction<? super V, ? super V, ? extends V> fn) {
        return merge(k, value, (BiFunction<? super V, ? super V, ? extends V>) fn);
    }

    @Override
    public V merge(K k, V value, BiFunction<? super V, ? super V, ? extends V> fn) {
        Cas.serializable(fn, "merge's function");
        Objects.requireNonNull(value, "a manager map's values may not be null");
        return applyAt(k, old -> old == null ? value : fn.apply(old, value));
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
