package dev.procshare.redis;

import dev.procshare.manager.ManagedSemaphore;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ManagedSemaphore} in Redis: a hash {@code K} with the available and initial permits, a hash
 * {@code K:held} of the permits each process's session took, and a lease per taking session. Permits of a
 * session whose lease lapsed (a process that died) go back before the next acquire looks. A release pays
 * back the releasing process's own taken permits first, so permits are not counted twice when it dies.
 */
final class RedisSemaphore extends RedisObject implements ManagedSemaphore {
    private static final long serialVersionUID = 1L;

    // KEYS: K, K:held; ARGV[4]: lease key prefix; gives back the permits of sessions whose lease lapsed
    private static final String RECLAIM = """
            local held = redis.call('HGETALL', KEYS[2])
            for i = 1, #held, 2 do
              if redis.call('EXISTS', ARGV[4] .. held[i]) == 0 then
                redis.call('HINCRBY', KEYS[1], 'avail', held[i + 1])
                redis.call('HDEL', KEYS[2], held[i])
              end
            end
            """;
    // KEYS: K, K:held; ARGV: session, permits, lease ms, lease key prefix; returns 1 taken, 0 not enough
    private static final String ACQUIRE = RECLAIM + """
            local a = tonumber(redis.call('HGET', KEYS[1], 'avail') or '0')
            if a < tonumber(ARGV[2]) then return 0 end
            redis.call('HINCRBY', KEYS[1], 'avail', -tonumber(ARGV[2]))
            redis.call('HINCRBY', KEYS[2], ARGV[1], ARGV[2])
            redis.call('SET', ARGV[4] .. ARGV[1], ARGV[1], 'PX', ARGV[3])
            return 1""";
    // KEYS: K, K:held; ARGV: session, permits, channel, bounded; returns how many of them were this session's, -1 over bound
    private static final String RELEASE = """
            local n = tonumber(ARGV[2])
            local a = tonumber(redis.call('HGET', KEYS[1], 'avail') or '0')
            if ARGV[4] == '1' and a + n > tonumber(redis.call('HGET', KEYS[1], 'max') or '0') then return -1 end
            local mine = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
            local pay = math.min(n, mine)
            if pay > 0 then
              if mine - pay == 0 then redis.call('HDEL', KEYS[2], ARGV[1]) else redis.call('HINCRBY', KEYS[2], ARGV[1], -pay) end
            end
            local rest = n - pay
            if rest > 0 then
              local held = redis.call('HGETALL', KEYS[2])
              for i = 1, #held, 2 do
                if rest == 0 then break end
                local h = tonumber(held[i + 1])
                local p = math.min(rest, h)
                if h - p == 0 then redis.call('HDEL', KEYS[2], held[i]) else redis.call('HINCRBY', KEYS[2], held[i], -p) end
                rest = rest - p
              end
            end
            redis.call('HINCRBY', KEYS[1], 'avail', n)
            redis.call('PUBLISH', ARGV[3], KEYS[1])
            return pay""";

    private final transient String held;
    private final transient String leasePrefix;
    private final transient boolean bounded;

    RedisSemaphore(RedisLink link, RedisRef ref) {
        super(link, ref);
        this.held = key + ":held";
        this.leasePrefix = key + ":lease:";
        this.bounded = ref.kind().equals("boundedSemaphore");
    }

    static RedisSemaphore create(RedisLink link, RedisRef ref, int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("a semaphore's permits may not be negative: " + permits);
        }
        RedisSemaphore s = new RedisSemaphore(link, ref);
        link.eval("return redis.call('HSET', KEYS[1], 'avail', ARGV[1], 'max', ARGV[1])",
                org.redisson.api.RScript.ReturnType.LONG, s.key, RedisLink.utf8(Integer.toString(permits)));
        return s;
    }

    private boolean tryOnce(int permits) {
        long r = link.evalLong(ACQUIRE, List.of(key, held), RedisLink.utf8(link.session),
                RedisLink.utf8(Integer.toString(permits)), RedisLink.utf8(Long.toString(link.leaseMillis)),
                RedisLink.utf8(leasePrefix));
        if (r == 1) {
            link.hold(leasePrefix + link.session, link.session, permits);
            return true;
        }
        return false;
    }

    private static int check(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("negative permits: " + permits);
        }
        return permits;
    }

    @Override
    public void acquire() throws InterruptedException {
        acquire(1);
    }

    @Override
    public void acquire(int permits) throws InterruptedException {
        check(permits);
        link.await(key, Long.MAX_VALUE, () -> tryOnce(permits) ? Boolean.TRUE : null);
    }

    @Override
    public boolean tryAcquire() {
        return tryOnce(1);
    }

    @Override
    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        return tryAcquire(1, timeout, unit);
    }

    @Override
    public boolean tryAcquire(int permits, long timeout, TimeUnit unit) throws InterruptedException {
        check(permits);
        return link.await(key, Math.max(0, unit.toNanos(timeout)), () -> tryOnce(permits) ? Boolean.TRUE : null) != null;
    }

    @Override
    public void release() {
        release(1);
    }

    @Override
    public void release(int permits) {
        check(permits);
        long own = link.evalLong(RELEASE, List.of(key, held), RedisLink.utf8(link.session),
                RedisLink.utf8(Integer.toString(permits)), channel(), RedisLink.utf8(bounded ? "1" : "0"));
        if (own < 0) {
            throw new IllegalStateException("bounded semaphore " + describe() + " released too many times");
        }
        link.unhold(leasePrefix + link.session, link.session, (int) own);
    }

    /** The permits available now, after a dead process's permits have been given back. */
    @Override
    public int availablePermits() {
        Object r = link.eval(RECLAIM + "return redis.call('HGET', KEYS[1], 'avail')",
                org.redisson.api.RScript.ReturnType.VALUE, List.of(key, held), RedisLink.utf8(""), RedisLink.utf8(""),
                RedisLink.utf8(""), RedisLink.utf8(leasePrefix));
        return r == null ? 0 : Integer.parseInt(RedisLink.text(r));
    }
}
