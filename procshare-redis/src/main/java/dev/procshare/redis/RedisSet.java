package dev.procshare.redis;

import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.redisson.api.RScript;

/**
 * A manager set in one Redis set of encoded items (items are equal when their encodings are). Every method
 * is one command; iteration works on a snapshot; {@code equals} is identity of the remote set.
 */
final class RedisSet<E> extends AbstractSet<E> implements java.io.Serializable, dev.procshare.codec.Portable.Replaced {
    private static final long serialVersionUID = 1L;

    private final transient RedisLink link;
    private final transient RedisRef ref;
    private final transient String key;

    RedisSet(RedisLink link, RedisRef ref) {
        this.link = link;
        this.ref = ref;
        this.key = RedisObject.key(link.address.manager(), ref.id());
    }

    @Override
    public dev.procshare.codec.Portable portable() {
        return ref;
    }

    Object writeReplace() {
        return ref;
    }

    @Override
    public boolean add(E e) {
        return link.evalLong("return redis.call('SADD', KEYS[1], ARGV[1])", List.of(key), link.encode(e)) > 0;
    }

    @Override
    public boolean addAll(Collection<? extends E> items) {
        if (items.isEmpty()) {
            return false;
        }
        List<Object> args = new ArrayList<>();
        for (E e : items) {
            args.add(link.encode(e));
        }
        return link.evalLong("local n = 0 for i = 1, #ARGV do n = n + redis.call('SADD', KEYS[1], ARGV[i]) end return n", List.of(key), args.toArray()) > 0;
    }

    @Override
    public boolean remove(Object o) {
        return link.evalLong("return redis.call('SREM', KEYS[1], ARGV[1])", List.of(key), link.encode(o)) > 0;
    }

    @Override
    public boolean contains(Object o) {
        return link.evalLong("return redis.call('SISMEMBER', KEYS[1], ARGV[1])", List.of(key), link.encode(o)) > 0;
    }

    @Override
    public int size() {
        return (int) link.evalLong("return redis.call('SCARD', KEYS[1])", List.of(key));
    }

    @Override
    public void clear() {
        link.eval("return redis.call('DEL', KEYS[1])", RScript.ReturnType.LONG, key);
    }

    /** Every item, read in one call. */
    private Set<E> snapshot() {
        return new LinkedHashSet<>(link.<E>decodeAll(link.evalList("return redis.call('SMEMBERS', KEYS[1])", List.of(key))));
    }

    @Override
    public Iterator<E> iterator() {
        return new RemovingIterator<>(snapshot().iterator(), this::remove);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RedisSet<?> s && s.ref.id().equals(ref.id()) && s.ref.address().equals(ref.address());
    }

    @Override
    public int hashCode() {
        return ref.id().hashCode();
    }
}
