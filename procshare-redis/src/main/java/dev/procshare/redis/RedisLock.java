package dev.procshare.redis;

import dev.procshare.manager.ManagedLock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A {@link ManagedLock} in Redis: a hash {@code K} naming the owner (this process's session and thread) and
 * its hold count, and a lease key {@code K:lease} that the owner's heartbeat keeps alive. The owner of a
 * lock whose lease has lapsed died (or stalled for a whole lease): the next {@code lock} takes the lock over
 * and its {@link #previousOwnerDied()} is true. Waiters sleep until an unlock is published, looking again at
 * least every 100 ms, so a dead owner's lock passes on within a lease and that.
 */
final class RedisLock extends RedisObject implements ManagedLock {
    private static final long serialVersionUID = 1L;

    // KEYS: K, K:lease; ARGV: owner, lease ms, reentrant, count to set
    // returns 1 acquired, 2 acquired from a dead owner, -1 held by another, -2 held by this thread (not reentrant)
    static final String ACQUIRE = """
            local o = redis.call('HGET', KEYS[1], 'owner')
            local died = 1
            if o then
              if o == ARGV[1] then
                if ARGV[3] == '1' then
                  redis.call('HINCRBY', KEYS[1], 'count', 1)
                  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
                  return 1
                end
                return -2
              end
              if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
              died = 2
            end
            redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'count', ARGV[4])
            redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
            return died""";
    // KEYS: K, K:lease; ARGV: owner, channel; returns holds left, -1 another owner, -2 no owner
    private static final String RELEASE = """
            local o = redis.call('HGET', KEYS[1], 'owner')
            if o ~= ARGV[1] then
              if o then return -1 end
              return -2
            end
            local c = redis.call('HINCRBY', KEYS[1], 'count', -1)
            if c > 0 then return c end
            redis.call('DEL', KEYS[1], KEYS[2])
            redis.call('PUBLISH', ARGV[2], KEYS[1])
            return 0""";
    private static final String STATE = "return {redis.call('HGET', KEYS[1], 'owner'), redis.call('HGET', KEYS[1], 'count'), "
            + "redis.call('EXISTS', KEYS[2])}";

    final transient String leaseKey;
    private final transient boolean reentrant;
    /** The locks (by key) whose last acquisition by this thread took them over from a dead owner: per thread and
     * lock, not per proxy, so that a condition's re-acquisition is seen through every proxy of the lock. */
    private static final ThreadLocal<java.util.Set<String>> DIED = ThreadLocal.withInitial(java.util.HashSet::new);

    RedisLock(RedisLink link, RedisRef ref) {
        super(link, ref);
        this.leaseKey = key + ":lease";
        this.reentrant = ref.kind().equals("rlock");
    }

    /** One try: true if this thread now holds the lock ({@code count} holds, 1 unless a condition restores more). */
    boolean tryOnce(int count) {
        String owner = link.owner();
        long r = link.evalLong(ACQUIRE, List.of(key, leaseKey), RedisLink.utf8(owner),
                RedisLink.utf8(Long.toString(link.leaseMillis)), RedisLink.utf8(reentrant ? "1" : "0"),
                RedisLink.utf8(Integer.toString(count)));
        if (r > 0) {
            link.hold(leaseKey, owner);
            if (r == 2) {
                DIED.get().add(key);
            } else {
                DIED.get().remove(key); // this acquisition (a re-entry too) took over from nobody
            }
            return true;
        }
        return false;
    }

    /** Waits at most {@code nanos} (Long.MAX_VALUE: no bound) for the lock. */
    boolean acquire(long nanos, int count) throws InterruptedException {
        return link.await(key, nanos, () -> tryOnce(count) ? Boolean.TRUE : null) != null;
    }

    /** Takes the lock, however long it takes, keeping an interrupt for later. */
    void acquireUninterruptibly(int count) {
        boolean interrupted = false;
        while (true) {
            try {
                acquire(Long.MAX_VALUE, count);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void lock() {
        acquireUninterruptibly(1);
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        acquire(Long.MAX_VALUE, 1);
    }

    @Override
    public boolean tryLock() {
        return tryOnce(1);
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return acquire(Math.max(0, unit.toNanos(time)), 1);
    }

    @Override
    public void unlock() {
        String owner = link.owner();
        long r = link.evalLong(RELEASE, List.of(key, leaseKey), RedisLink.utf8(owner), channel());
        if (r == 0) {
            link.unhold(leaseKey, owner);
        } else if (r < 0) {
            throw new IllegalMonitorStateException(ref.kind() + " " + describe() + " is not held by this thread"
                    + (r == -1 ? " (another owner has it; if this thread had it, its lease lapsed: this process"
                    + " stalled or lost Redis for longer than the lease)" : ""));
        }
    }

    /** {whether anyone holds the lock, this thread's holds}, read in one call. */
    int[] state() {
        List<Object> s = link.evalList(STATE, List.of(key, leaseKey));
        String owner = RedisLink.text(s.get(0));
        int count = s.get(1) == null ? 0 : Integer.parseInt(RedisLink.text(s.get(1)));
        boolean mine = link.owner().equals(owner) && ((Number) s.get(2)).longValue() == 1;
        return new int[] {owner == null ? 0 : 1, mine ? count : 0};
    }

    @Override
    public Condition newCondition() {
        String cid = UUID.randomUUID().toString().replace("-", "");
        return new RedisCondition(link, new RedisRef(ref.address(), "condition", cid, ref.id() + "," + ref.kind()));
    }

    @Override
    public boolean previousOwnerDied() {
        return DIED.get().contains(key);
    }

    @Override
    public boolean isHeldByCurrentThread() {
        return state()[1] > 0;
    }

    @Override
    public boolean isLocked() {
        return state()[0] > 0;
    }

    @Override
    public int getHoldCount() {
        return state()[1];
    }
}
