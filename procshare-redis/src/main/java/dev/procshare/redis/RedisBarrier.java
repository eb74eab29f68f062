package dev.procshare.redis;

import dev.procshare.manager.ManagedBarrier;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link ManagedBarrier} in Redis: a hash {@code K} with the generation, the parties waiting and whether
 * the generation is broken; the waiting parties' tokens in {@code K:a}, each with a lease. The last party
 * to arrive starts the next generation; the waiting ones see it change. A party that times out or is
 * interrupted breaks the generation, and so does any waiter that finds another's lease lapsed (that party
 * died). {@link #reset()} marks the generation broken for its waiters and starts a fresh one.
 */
final class RedisBarrier extends RedisObject implements ManagedBarrier {
    private static final long serialVersionUID = 1L;

    // KEYS: K; ARGV: parties, token, owner, lease ms, channel; returns {index or -1 if broken, generation}
    private static final String ARRIVE = """
            local gen = redis.call('HGET', KEYS[1], 'gen') or '0'
            if redis.call('HGET', KEYS[1], 'broken') == '1' then return {-1, gen} end
            local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
            local idx = tonumber(ARGV[1]) - n
            if idx <= 0 then
              redis.call('HSET', KEYS[1], 'n', 0, 'gen', tostring(tonumber(gen) + 1))
              redis.call('DEL', KEYS[1] .. ':a')
              redis.call('PUBLISH', ARGV[5], KEYS[1])
              return {0, gen}
            end
            redis.call('SADD', KEYS[1] .. ':a', ARGV[2])
            redis.call('SET', KEYS[1] .. ':w:' .. ARGV[2], ARGV[3], 'PX', ARGV[4])
            return {idx, gen}""";
    // KEYS: K; ARGV: generation, channel, break ('1' to break it); returns 1 tripped, -1 broken, 0 waiting
    private static final String CHECK = """
            local gen = redis.call('HGET', KEYS[1], 'gen') or '0'
            if gen ~= ARGV[1] then
              if redis.call('EXISTS', KEYS[1] .. ':b:' .. ARGV[1]) == 1 then return -1 end
              return 1
            end
            if redis.call('HGET', KEYS[1], 'broken') == '1' then return -1 end
            local dead = false
            if ARGV[3] ~= '1' then
              for _, t in ipairs(redis.call('SMEMBERS', KEYS[1] .. ':a')) do
                if redis.call('EXISTS', KEYS[1] .. ':w:' .. t) == 0 then dead = true break end
              end
            end
            if ARGV[3] == '1' or dead then
              redis.call('HSET', KEYS[1], 'broken', '1')
              redis.call('PUBLISH', ARGV[2], KEYS[1])
              return -1
            end
            return 0""";
    // KEYS: K; ARGV: channel
    private static final String RESET = """
            local gen = redis.call('HGET', KEYS[1], 'gen') or '0'
            if tonumber(redis.call('HGET', KEYS[1], 'n') or '0') > 0 then
              redis.call('SET', KEYS[1] .. ':b:' .. gen, '1', 'PX', 86400000)
            end
            redis.call('HSET', KEYS[1], 'n', 0, 'broken', '0', 'gen', tostring(tonumber(gen) + 1))
            redis.call('DEL', KEYS[1] .. ':a')
            redis.call('PUBLISH', ARGV[1], KEYS[1])
            return 1""";

    private final transient int parties;

    RedisBarrier(RedisLink link, RedisRef ref) {
        super(link, ref);
        this.parties = Integer.parseInt(ref.extra());
    }

    private int arrive(long nanos) throws InterruptedException, BrokenBarrierException, TimeoutException {
        String token = UUID.randomUUID().toString().replace("-", "");
        String owner = link.owner();
        List<Object> r = link.evalList(ARRIVE, List.of(key), RedisLink.utf8(Integer.toString(parties)),
                RedisLink.utf8(token), RedisLink.utf8(owner), RedisLink.utf8(Long.toString(link.leaseMillis)), channel());
        int index = ((Number) r.get(0)).intValue();
        if (index < 0) {
            throw new BrokenBarrierException();
        }
        if (index == 0) {
            return 0;
        }
        byte[] gen = (byte[]) r.get(1);
        String lease = key + ":w:" + token;
        link.hold(lease, owner);
        try {
            Long outcome;
            try {
                outcome = link.await(key, nanos, () -> {
                    long c = check(gen, false);
                    return c == 0 ? null : c;
                });
            } catch (InterruptedException e) {
                if (check(gen, true) == 1) { // tripped just before: the wait succeeded after all
                    Thread.currentThread().interrupt();
                    return index;
                }
                throw e;
            }
            if (outcome == null) {
                if (check(gen, true) == 1) {
                    return index;
                }
                throw new TimeoutException("barrier " + describe() + " timed out waiting for " + parties + " parties");
            }
            if (outcome < 0) {
                throw new BrokenBarrierException();
            }
            return index;
        } finally {
            link.unhold(lease, owner);
        }
    }

    private long check(byte[] gen, boolean breakIt) {
        return link.evalLong(CHECK, List.of(key), gen, channel(), RedisLink.utf8(breakIt ? "1" : "0"));
    }

    @Override
    public int await() throws InterruptedException, BrokenBarrierException {
        try {
            return arrive(Long.MAX_VALUE);
        } catch (TimeoutException e) {
            throw new AssertionError(e); // no bound, no timeout
        }
    }

    @Override
    public int await(long timeout, TimeUnit unit) throws InterruptedException, BrokenBarrierException, TimeoutException {
        return arrive(Math.max(0, unit.toNanos(timeout)));
    }

    @Override
    public int getParties() {
        return parties;
    }

    @Override
    public int getNumberWaiting() {
        Object n = link.eval("return redis.call('HGET', KEYS[1], 'n')", org.redisson.api.RScript.ReturnType.VALUE, key);
        return n == null ? 0 : Integer.parseInt(RedisLink.text(n));
    }

    @Override
    public boolean isBroken() {
        Object b = link.eval("return redis.call('HGET', KEYS[1], 'broken')", org.redisson.api.RScript.ReturnType.VALUE, key);
        return "1".equals(RedisLink.text(b));
    }

    @Override
    public void reset() {
        link.eval(RESET, org.redisson.api.RScript.ReturnType.LONG, key, channel());
    }
}
