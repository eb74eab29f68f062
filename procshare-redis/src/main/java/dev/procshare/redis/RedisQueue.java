package dev.procshare.redis;

import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RScript;

/**
 * A manager {@link BlockingQueue} in one Redis list: {@code offer} appends if there is room, {@code poll}
 * takes the head, each one script; blocked puts and takes sleep until the other side publishes a change.
 * The capacity travels with the proxy. Iteration works on a snapshot; {@code equals} is identity.
 */
class RedisQueue<E> extends AbstractQueue<E> implements BlockingQueue<E>, java.io.Serializable,
        dev.procshare.codec.Portable.Replaced {
    private static final long serialVersionUID = 1L;

    // KEYS: K; ARGV: capacity, channel, joinable, item
    private static final String OFFER = """
            if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
            redis.call('RPUSH', KEYS[1], ARGV[4])
            if ARGV[3] == '1' then redis.call('HINCRBY', KEYS[1] .. ':m', 'u', 1) end
            redis.call('PUBLISH', ARGV[2], KEYS[1])
            return 1""";
    // KEYS: K; ARGV: channel, joinable, session, lease ms; a joinable queue first gives back what dead takers held
    static final String RECOVER = """
            local back = 0
            for _, s in ipairs(redis.call('SMEMBERS', KEYS[1] .. ':takers')) do
              if redis.call('EXISTS', KEYS[1] .. ':tl:' .. s) == 0 then
                local items = redis.call('LRANGE', KEYS[1] .. ':t:' .. s, 0, -1)
                for i = #items, 1, -1 do redis.call('LPUSH', KEYS[1], items[i]) end
                back = back + #items
                redis.call('DEL', KEYS[1] .. ':t:' .. s)
                redis.call('SREM', KEYS[1] .. ':takers', s)
              end
            end
            if back > 0 then redis.call('PUBLISH', ARGV[1], KEYS[1]) end
            """;
    private static final String POLL = "if ARGV[2] == '1' then\n" + RECOVER + "end\n" + """
            local v = redis.call('LPOP', KEYS[1])
            if not v then return nil end
            if ARGV[2] == '1' then
              redis.call('RPUSH', KEYS[1] .. ':t:' .. ARGV[3], v)
              redis.call('SADD', KEYS[1] .. ':takers', ARGV[3])
              redis.call('SET', KEYS[1] .. ':tl:' .. ARGV[3], ARGV[3], 'PX', ARGV[4])
            end
            redis.call('PUBLISH', ARGV[1], KEYS[1])
            return v""";
    // KEYS: K; ARGV: channel, joinable, item; removed items count as done
    private static final String REMOVE = """
            local n = redis.call('LREM', KEYS[1], 1, ARGV[3])
            if n > 0 then
              if ARGV[2] == '1' then
                redis.call('HINCRBY', KEYS[1] .. ':m', 'u', -n)
                redis.call('PUBLISH', ARGV[1], KEYS[1] .. ':m')
              end
              redis.call('PUBLISH', ARGV[1], KEYS[1])
            end
            return n""";
    private static final String CLEAR = """
            local n = redis.call('LLEN', KEYS[1])
            redis.call('DEL', KEYS[1])
            if ARGV[2] == '1' and n > 0 then
              redis.call('HINCRBY', KEYS[1] .. ':m', 'u', -n)
              redis.call('PUBLISH', ARGV[1], KEYS[1] .. ':m')
            end
            redis.call('PUBLISH', ARGV[1], KEYS[1])
            return n""";

    final transient RedisObject base;
    final transient int capacity;
    private final transient boolean joinable;

    RedisQueue(RedisLink link, RedisRef ref) {
        this.base = new RedisObject(link, ref) {
            private static final long serialVersionUID = 1L;
        };
        this.capacity = Integer.parseInt(ref.extra());
        this.joinable = ref.kind().equals("joinableQueue");
    }

    static int checkCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a queue's capacity must be at least 1: " + capacity);
        }
        return capacity;
    }

    @Override
    public dev.procshare.codec.Portable portable() {
        return base.ref;
    }

    Object writeReplace() {
        return base.ref;
    }

    private byte[] flag() {
        return RedisLink.utf8(joinable ? "1" : "0");
    }

    @Override
    public boolean offer(E e) {
        byte[] item = base.link.encode(Objects.requireNonNull(e, "a manager queue holds no nulls"));
        return tryOffer(item);
    }

    private boolean tryOffer(byte[] item) {
        return base.link.evalLong(OFFER, List.of(base.key), RedisLink.utf8(Integer.toString(capacity)),
                base.channel(), flag(), item) == 1;
    }

    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
        byte[] item = base.link.encode(Objects.requireNonNull(e, "a manager queue holds no nulls"));
        return base.link.await(base.key, Math.max(0, unit.toNanos(timeout)),
                () -> tryOffer(item) ? Boolean.TRUE : null) != null;
    }

    @Override
    public void put(E e) throws InterruptedException {
        byte[] item = base.link.encode(Objects.requireNonNull(e, "a manager queue holds no nulls"));
        base.link.await(base.key, Long.MAX_VALUE, () -> tryOffer(item) ? Boolean.TRUE : null);
    }

    /** The head's bytes, taken, or null; a joinable queue records it as taken by this process. */
    private byte[] tryPoll() {
        RedisLink link = base.link;
        byte[] v = (byte[]) link.eval(POLL, RScript.ReturnType.VALUE, List.of(base.key), base.channel(), flag(),
                RedisLink.utf8(link.session), RedisLink.utf8(Long.toString(link.leaseMillis)));
        if (v != null && joinable) {
            link.hold(base.key + ":tl:" + link.session, link.session);
        }
        return v;
    }

    @Override
    public E poll() {
        return base.link.decode(tryPoll());
    }

    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        return base.link.decode(base.link.await(base.key, Math.max(0, unit.toNanos(timeout)), this::tryPoll));
    }

    @Override
    public E take() throws InterruptedException {
        return base.link.decode(base.link.await(base.key, Long.MAX_VALUE, this::tryPoll));
    }

    @Override
    public E peek() {
        return base.link.decode(base.link.eval("return redis.call('LINDEX', KEYS[1], 0)", RScript.ReturnType.VALUE,
                base.key));
    }

    @Override
    public int size() {
        return (int) base.link.evalLong("return redis.call('LLEN', KEYS[1])", List.of(base.key));
    }

    @Override
    public int remainingCapacity() {
        return capacity == Integer.MAX_VALUE ? Integer.MAX_VALUE : Math.max(0, capacity - size());
    }

    @Override
    public boolean remove(Object o) {
        return base.link.evalLong(REMOVE, List.of(base.key), base.channel(), flag(), base.link.encode(o)) > 0;
    }

    @Override
    public boolean contains(Object o) {
        return base.link.eval("return redis.call('LPOS', KEYS[1], ARGV[1])", RScript.ReturnType.LONG, base.key,
                base.link.encode(o)) != null;
    }

    @Override
    public void clear() {
        base.link.evalLong(CLEAR, List.of(base.key), base.channel(), flag());
    }

    @Override
    public int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super E> c, int maxElements) {
        if (c == this) {
            throw new IllegalArgumentException("a queue cannot drain into itself");
        }
        int n = 0;
        while (n < maxElements) {
            byte[] v = tryPoll();
            if (v == null) {
                break;
            }
            c.add(base.link.decode(v));
            n++;
        }
        return n;
    }

    /** Every item, read in one call. */
    private List<E> snapshot() {
        return base.link.decodeAll(base.link.evalList("return redis.call('LRANGE', KEYS[1], 0, -1)", List.of(base.key)));
    }

    @Override
    public Iterator<E> iterator() {
        return new RemovingIterator<>(new ArrayList<>(snapshot()).iterator(), this::remove);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RedisQueue<?> q && q.base.equals(base);
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
