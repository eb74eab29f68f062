package dev.procshare.redis;

import dev.procshare.manager.Namespace;
import dev.procshare.process.SerializableFunction;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import org.redisson.api.RScript;

/** A {@link Namespace} in one Redis hash: a field per name, the value's encoded bytes. */
final class RedisNamespace extends RedisObject implements Namespace {
    private static final long serialVersionUID = 1L;

    RedisNamespace(RedisLink link, RedisRef ref) {
        super(link, ref);
    }

    private static byte[] field(String name) {
        return RedisLink.utf8(java.util.Objects.requireNonNull(name, "name"));
    }

    @Override
    public <T> T get(String name) {
        byte[] b = Cas.read(link, key, field(name));
        return b == Cas.ABSENT ? null : link.decode(b);
    }

    @Override
    public void set(String name, Object value) {
        link.eval("return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])", RScript.ReturnType.LONG, key,
                field(name), link.encode(value));
    }

    @Override
    public boolean delete(String name) {
        return link.evalLong("return redis.call('HDEL', KEYS[1], ARGV[1])", List.of(key), field(name)) > 0;
    }

    @Override
    public boolean contains(String name) {
        return link.evalLong("return redis.call('HEXISTS', KEYS[1], ARGV[1])", List.of(key), field(name)) > 0;
    }

    @Override
    public Set<String> keys() {
        Set<String> names = new TreeSet<>();
        for (Object f : link.evalList("return redis.call('HKEYS', KEYS[1])", List.of(key))) {
            names.add(RedisLink.text(f));
        }
        return names;
    }

    @Override
    public <T> T update(String name, SerializableFunction<T, T> fn) {
        Cas.serializable(fn, "update's function");
        return Cas.apply(link, key, field(name), fn::apply, false).after();
    }

    @Override
    public boolean compareAndSet(String name, Object expect, Object update) {
        return Cas.compareAndSet(link, key, field(name), expect, link.encode(update));
    }

    /** The names and values, read in one call. */
    @Override
    public String toString() {
        List<Object> flat = link.evalList("return redis.call('HGETALL', KEYS[1])", List.of(key));
        Map<String, Object> sorted = new TreeMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            sorted.put(RedisLink.text(flat.get(i)), link.decode(flat.get(i + 1)));
        }
        StringJoiner j = new StringJoiner(", ", "Namespace{", "}");
        sorted.forEach((k, v) -> j.add(k + "=" + v));
        return j.toString();
    }
}
