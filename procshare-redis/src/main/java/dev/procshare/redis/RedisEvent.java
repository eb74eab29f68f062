package dev.procshare.redis;

import dev.procshare.manager.ManagedEvent;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RScript;

/** A {@link ManagedEvent} in one Redis key: present while set; setting it publishes a wake-up. */
final class RedisEvent extends RedisObject implements ManagedEvent {
    private static final long serialVersionUID = 1L;

    RedisEvent(RedisLink link, RedisRef ref) {
        super(link, ref);
    }

    @Override
    public void set() {
        link.eval("redis.call('SET', KEYS[1], '1') return redis.call('PUBLISH', ARGV[1], KEYS[1])",
                RScript.ReturnType.LONG, key, channel());
    }

    @Override
    public void clear() {
        link.eval("return redis.call('DEL', KEYS[1])", RScript.ReturnType.LONG, key);
    }

    @Override
    public boolean isSet() {
        return link.evalLong("return redis.call('EXISTS', KEYS[1])", List.of(key)) == 1;
    }

    @Override
    public void await() throws InterruptedException {
        link.await(key, Long.MAX_VALUE, () -> isSet() ? Boolean.TRUE : null);
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return link.await(key, Math.max(0, unit.toNanos(timeout)), () -> isSet() ? Boolean.TRUE : null) != null;
    }

    @Override
    public String toString() {
        return "Event(" + (isSet() ? "set" : "clear") + ")";
    }
}
