package dev.procshare.redis;

import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A {@link Condition} of a {@link RedisLock}, its keys under the lock's hash tag: a queue of waiting tokens
 * and, per waiter, a lease (renewed while it waits) and a flag a signal sets. {@code await} queues its token
 * and releases every hold of the lock in one script, so no signal can fall between them; a signal skips
 * tokens whose waiter's lease lapsed (a killed waiter takes no signal with it).
 */
final class RedisCondition extends RedisObject implements Condition {
    private static final long serialVersionUID = 1L;

    // KEYS: lock, lock lease, queue, waiter lease; ARGV: owner, token, lease ms, channel; returns holds or -1
    private static final String WAIT = """
            if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return -1 end
            local c = tonumber(redis.call('HGET', KEYS[1], 'count'))
            redis.call('RPUSH', KEYS[3], ARGV[2])
            redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[3])
            redis.call('DEL', KEYS[1], KEYS[2])
            redis.call('PUBLISH', ARGV[4], KEYS[1])
            return c""";
    // KEYS: lock, queue; ARGV: owner, channel, how many, key prefix of flags and leases
    private static final String SIGNAL = """
            if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return -1 end
            local woken = 0
            while woken < tonumber(ARGV[3]) do
              local t = redis.call('LPOP', KEYS[2])
              if not t then break end
              if redis.call('EXISTS', ARGV[4] .. ':w:' .. t) == 1 then
                redis.call('SET', ARGV[4] .. ':t:' .. t, '1', 'PX', 3600000)
                woken = woken + 1
              end
            end
            if woken > 0 then redis.call('PUBLISH', ARGV[2], KEYS[2]) end
            return woken""";
    // KEYS: queue, flag, waiter lease; ARGV: token, cancel; returns 1 if signalled
    private static final String CHECK = """
            if redis.call('EXISTS', KEYS[2]) == 1 then
              redis.call('DEL', KEYS[2], KEYS[3])
              return 1
            end
            if redis.call('EXISTS', KEYS[3]) == 0 then
              -- this waiter's lease lapsed (it stalled): a signal may have skipped it, so wake up spuriously
              redis.call('LREM', KEYS[1], 1, ARGV[1])
              return 1
            end
            if ARGV[2] == '1' then
              redis.call('LREM', KEYS[1], 1, ARGV[1])
              redis.call('DEL', KEYS[3])
            end
            return 0""";

    private final transient RedisLock lock;
    private final transient String prefix;
    private final transient String queue;

    RedisCondition(RedisLink link, RedisRef ref) {
        super(link, ref);
        String[] of = ref.extra().split(",");
        this.lock = new RedisLock(link, new RedisRef(ref.address(), of[1], of[0], null));
        this.prefix = lock.key + ":c:" + ref.id();
        this.queue = prefix + ":q";
    }

    /** Waits at most {@code nanos}; returns the nanos left (at most 0 if it timed out), as awaitNanos. */
    private long waitFor(long nanos, boolean interruptible) throws InterruptedException {
        long start = System.nanoTime();
        String owner = link.owner();
        String token = UUID.randomUUID().toString().replace("-", "");
        String flag = prefix + ":t:" + token;
        String lease = prefix + ":w:" + token;
        long holds = link.evalLong(WAIT, List.of(lock.key, lock.leaseKey, queue, lease), RedisLink.utf8(owner),
                RedisLink.utf8(token), RedisLink.utf8(Long.toString(link.leaseMillis)), channel());
        if (holds < 0) {
            throw new IllegalMonitorStateException("await on a condition of " + lock.describe()
                    + " by a thread that does not hold the lock");
        }
        link.unhold(lock.leaseKey, owner);
        link.hold(lease, owner);
        boolean signalled = false;
        InterruptedException interrupt = null;
        try {
            long bound = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : nanos;
            while (true) {
                try {
                    signalled = link.await(queue, bound, () -> check(token, flag, lease, false) ? Boolean.TRUE : null) != null;
                    break;
                } catch (InterruptedException e) {
                    if (interruptible) {
                        interrupt = e;
                        break;
                    }
                    interrupt = e; // remembered and set again below; the wait goes on
                    bound = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, nanos - (System.nanoTime() - start));
                }
            }
            if (!signalled) {
                signalled = check(token, flag, lease, true); // a signal may have come just before the cancel
            }
        } finally {
            link.unhold(lease, owner);
            lock.acquireUninterruptibly((int) holds);
        }
        if (interrupt != null) {
            if (interruptible && !signalled) {
                throw interrupt;
            }
            Thread.currentThread().interrupt(); // signalled as well: the signal is not lost, the interrupt is kept
        }
        long left = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : nanos - (System.nanoTime() - start);
        return signalled ? Math.max(1, left) : Math.min(0, left);
    }

    private boolean check(String token, String flag, String lease, boolean cancel) {
        return link.evalLong(CHECK, List.of(queue, flag, lease), RedisLink.utf8(token),
                RedisLink.utf8(cancel ? "1" : "0")) == 1;
    }

    private void signal(int howMany) {
        long r = link.evalLong(SIGNAL, List.of(lock.key, queue), RedisLink.utf8(link.owner()), channel(),
                RedisLink.utf8(Integer.toString(howMany)), RedisLink.utf8(prefix));
        if (r < 0) {
            throw new IllegalMonitorStateException("signal on a condition of " + lock.describe()
                    + " by a thread that does not hold the lock");
        }
    }

    @Override
    public void await() throws InterruptedException {
        waitFor(Long.MAX_VALUE, true);
    }

    @Override
    public void awaitUninterruptibly() {
        try {
            waitFor(Long.MAX_VALUE, false);
        } catch (InterruptedException e) {
            throw new AssertionError(e); // not thrown when uninterruptible
        }
    }

    @Override
    public long awaitNanos(long nanosTimeout) throws InterruptedException {
        return waitFor(Math.max(0, nanosTimeout), true);
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        return waitFor(Math.max(0, unit.toNanos(time)), true) > 0;
    }

    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        return await(deadline.getTime() - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void signal() {
        signal(1);
    }

    @Override
    public void signalAll() {
        signal(Integer.MAX_VALUE);
    }
}
