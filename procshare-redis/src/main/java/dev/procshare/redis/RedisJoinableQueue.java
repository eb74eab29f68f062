package dev.procshare.redis;

import dev.procshare.manager.JoinableQueue;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RScript;

/**
 * A {@link JoinableQueue} in Redis: the queue's list, the unfinished count in {@code K:m}, and per taking
 * process a list of the items it took and has not marked done, with a lease. When that lease lapses (the
 * consumer died) the next take or join puts its items back at the head, so the count can still reach zero.
 */
final class RedisJoinableQueue<E> extends RedisQueue<E> implements JoinableQueue<E> {
    private static final long serialVersionUID = 1L;

    // KEYS: K; ARGV: channel, session; returns 1 if an item this process took was marked, 0 if not, -1 if
    // nothing was unfinished
    private static final String DONE = """
            local u = tonumber(redis.call('HGET', KEYS[1] .. ':m', 'u') or '0')
            if u <= 0 then return -1 end
            local mine = redis.call('LPOP', KEYS[1] .. ':t:' .. ARGV[2])
            if redis.call('LLEN', KEYS[1] .. ':t:' .. ARGV[2]) == 0 then redis.call('SREM', KEYS[1] .. ':takers', ARGV[2]) end
            u = redis.call('HINCRBY', KEYS[1] .. ':m', 'u', -1)
            if u == 0 then redis.call('PUBLISH', ARGV[1], KEYS[1] .. ':m') end
            if mine then return 1 end
            return 0""";
    private static final String UNFINISHED = RedisQueue.RECOVER + "return tonumber(redis.call('HGET', KEYS[1] .. ':m', 'u') or '0')";

    RedisJoinableQueue(RedisLink link, RedisRef ref) {
        super(link, ref);
    }

    @Override
    public void taskDone() {
        RedisLink link = base.link;
        long mine = link.evalLong(DONE, List.of(base.key), base.channel(), RedisLink.utf8(link.session));
        if (mine < 0) {
            throw new IllegalStateException("taskDone() called more times than items were put in " + base.describe());
        }
        if (mine == 1) {
            link.unhold(base.key + ":tl:" + link.session, link.session, 1); // renewed while it holds taken items
        }
    }

    @Override
    public void join() throws InterruptedException {
        join(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean join(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = timeout == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, unit.toNanos(timeout));
        return base.link.await(base.key + ":m", nanos, () -> unfinishedTasks() == 0 ? Boolean.TRUE : null) != null;
    }

    @Override
    public long unfinishedTasks() {
        return (Long) base.link.eval(UNFINISHED, RScript.ReturnType.LONG, List.of(base.key), base.channel());
    }
}
