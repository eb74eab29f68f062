package dev.procshare.redis;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import org.redisson.api.RScript;

/**
 * A manager list in one Redis list of encoded items. Every method is one script, atomic; equality of items
 * in {@code indexOf}, {@code contains} and {@code remove(Object)} is equality of their encodings. Iteration
 * works on a snapshot taken by one call; {@code equals} is identity of the remote list.
 */
final class RedisList<E> extends AbstractList<E> implements java.io.Serializable, dev.procshare.codec.Portable.Replaced {
    private static final long serialVersionUID = 1L;

    private static final String GET = "local n = redis.call('LLEN', KEYS[1]) local i = tonumber(ARGV[1]) "
            + "if i >= n then return {n} end return {n, redis.call('LINDEX', KEYS[1], i)}";
    private static final String SET = "local n = redis.call('LLEN', KEYS[1]) local i = tonumber(ARGV[1]) "
            + "if i >= n then return {n} end local o = redis.call('LINDEX', KEYS[1], i) "
            + "redis.call('LSET', KEYS[1], i, ARGV[2]) return {n, o}";
    // insert at i: keep the head, push the item, push the tail back
    private static final String INSERT = "local n = redis.call('LLEN', KEYS[1]) local i = tonumber(ARGV[1]) "
            + "if i > n then return n end "
            + "if i == n then redis.call('RPUSH', KEYS[1], ARGV[2]) return -1 end "
            + "local tail = redis.call('LRANGE', KEYS[1], i, -1) redis.call('LTRIM', KEYS[1], 0, i - 1) "
            + "if i == 0 then redis.call('DEL', KEYS[1]) end "
            + "redis.call('RPUSH', KEYS[1], ARGV[2]) for _, t in ipairs(tail) do redis.call('RPUSH', KEYS[1], t) end "
            + "return -1";
    // remove at i: mark it with a value no encoding produces, then remove the mark
    private static final String REMOVE_AT = "local n = redis.call('LLEN', KEYS[1]) local i = tonumber(ARGV[1]) "
            + "if i >= n then return {n} end local o = redis.call('LINDEX', KEYS[1], i) "
            + "redis.call('LSET', KEYS[1], i, '') redis.call('LREM', KEYS[1], 1, '') return {n, o}";

    // keep the head, drop the range, push the tail back; returns the size if the range is out of it
    private static final String REMOVE_RANGE = "local n = redis.call('LLEN', KEYS[1]) local from = tonumber(ARGV[1]) "
            + "local to = tonumber(ARGV[2]) if to > n then return n end if from == to then return -1 end "
            + "local tail = redis.call('LRANGE', KEYS[1], to, -1) "
            + "if from == 0 then redis.call('DEL', KEYS[1]) else redis.call('LTRIM', KEYS[1], 0, from - 1) end "
            + "for _, t in ipairs(tail) do redis.call('RPUSH', KEYS[1], t) end return -1";
    private static final String PUSH_ALL = "for i = 1, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end return #ARGV";

    private final transient Base base;

    RedisList(RedisLink link, RedisRef ref) {
        this.base = new Base(link, ref);
    }

    /** The identity and keys, shared with the other proxies (a list cannot extend RedisObject). */
    private static final class Base extends RedisObject {
        private static final long serialVersionUID = 1L;

        Base(RedisLink link, RedisRef ref) {
            super(link, ref);
        }
    }

    @Override
    public dev.procshare.codec.Portable portable() {
        return base.ref;
    }

    Object writeReplace() {
        return base.ref;
    }

    private IndexOutOfBoundsException outOfRange(int index, long size) {
        return new IndexOutOfBoundsException("Index " + index + " out of bounds for length " + size);
    }

    @SuppressWarnings("unchecked")
    private E at(String lua, int index, Object... more) {
        if (index < 0) {
            throw outOfRange(index, size());
        }
        Object[] args = new Object[1 + more.length];
        args[0] = RedisLink.utf8(Integer.toString(index));
        System.arraycopy(more, 0, args, 1, more.length);
        List<Object> r = base.link.evalList(lua, List.of(base.key), args);
        if (r.size() < 2) {
            throw outOfRange(index, ((Number) r.get(0)).longValue());
        }
        return base.link.decode(r.get(1));
    }

    @Override
    public E get(int index) {
        return at(GET, index);
    }

    @Override
    public E set(int index, E element) {
        return at(SET, index, base.link.encode(element));
    }

    @Override
    public E remove(int index) {
        return at(REMOVE_AT, index);
    }

    @Override
    public void add(int index, E element) {
        if (index < 0) {
            throw outOfRange(index, size());
        }
        long r = base.link.evalLong(INSERT, List.of(base.key), RedisLink.utf8(Integer.toString(index)),
                base.link.encode(element));
        if (r >= 0) {
            throw outOfRange(index, r);
        }
    }

    @Override
    public boolean add(E element) {
        base.link.eval("return redis.call('RPUSH', KEYS[1], ARGV[1])", RScript.ReturnType.LONG, base.key,
                base.link.encode(element));
        return true;
    }

    @Override
    public boolean addAll(Collection<? extends E> items) {
        if (items.isEmpty()) {
            return false;
        }
        List<Object> args = new ArrayList<>();
        for (E e : items) {
            args.add(base.link.encode(e));
        }
        base.link.eval(PUSH_ALL, RScript.ReturnType.LONG, base.key,
                args.toArray());
        return true;
    }

    @Override
    public boolean remove(Object o) {
        return base.link.evalLong("return redis.call('LREM', KEYS[1], 1, ARGV[1])", List.of(base.key),
                base.link.encode(o)) > 0;
    }

    @Override
    public int indexOf(Object o) {
        Object r = base.link.eval("return redis.call('LPOS', KEYS[1], ARGV[1])", RScript.ReturnType.LONG,
                base.key, base.link.encode(o));
        return r == null ? -1 : ((Number) r).intValue();
    }

    @Override
    public int lastIndexOf(Object o) {
        Object r = base.link.eval("return redis.call('LPOS', KEYS[1], ARGV[1], 'RANK', -1)", RScript.ReturnType.LONG,
                base.key, base.link.encode(o));
        return r == null ? -1 : ((Number) r).intValue();
    }

    @Override
    public boolean contains(Object o) {
        return indexOf(o) >= 0;
    }

    @Override
    public int size() {
        return (int) base.link.evalLong("return redis.call('LLEN', KEYS[1])", List.of(base.key));
    }

    /** Removes items {@code from} to {@code to} (exclusive) in one script: what {@code subList(..).clear()} does. */
    @Override
    protected void removeRange(int from, int to) {
        if (from < 0 || from > to) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ")");
        }
        long r = base.link.evalLong(REMOVE_RANGE, List.of(base.key), RedisLink.utf8(Integer.toString(from)),
                RedisLink.utf8(Integer.toString(to)));
        if (r >= 0) {
            throw outOfRange(to, r);
        }
    }

    @Override
    public void clear() {
        base.link.eval("return redis.call('DEL', KEYS[1])", RScript.ReturnType.LONG, base.key);
    }

    /** Every item, read in one call. */
    private List<E> snapshot() {
        return base.link.decodeAll(base.link.evalList("return redis.call('LRANGE', KEYS[1], 0, -1)", List.of(base.key)));
    }

    @Override
    public Iterator<E> iterator() {
        return java.util.Collections.unmodifiableList(snapshot()).iterator();
    }

    @Override
    public ListIterator<E> listIterator(int index) {
        return java.util.Collections.unmodifiableList(snapshot()).listIterator(index);
    }

    @Override
    public Object[] toArray() {
        return snapshot().toArray();
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return snapshot().toArray(a);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RedisList<?> l && l.base.equals(base);
    }

    @Override
    public int hashCode() {
        return base.hashCode();
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
