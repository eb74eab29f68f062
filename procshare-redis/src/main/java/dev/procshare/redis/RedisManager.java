package dev.procshare.redis;

import dev.procshare.manager.JoinableQueue;
import dev.procshare.manager.ManagedBarrier;
import dev.procshare.manager.ManagedDoubleArray;
import dev.procshare.manager.ManagedEvent;
import dev.procshare.manager.ManagedIntArray;
import dev.procshare.manager.ManagedLock;
import dev.procshare.manager.ManagedLongArray;
import dev.procshare.manager.ManagedSemaphore;
import dev.procshare.manager.ManagedValue;
import dev.procshare.manager.Manager;
import dev.procshare.manager.ManagerOptions;
import dev.procshare.manager.Namespace;
import dev.procshare.manager.SharedMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import org.redisson.client.RedisException;

/**
 * A {@link Manager} whose objects live in Redis. Every process that connects to the same address (and
 * manager name) sees the same objects; there is no server of ours, so nothing is lost when any one process
 * dies, and processes on many hosts can share the objects.
 *
 * <p>What differs from the socket manager: functions ({@code update}, {@code compute}, {@code merge}) run in
 * the calling process and are applied with compare-and-set, retried when another process changed the value
 * in between (so a function may run more than once, and must have no side effects); a dead process's locks,
 * permits and waits are taken over after a lease ({@code ?lease=}, default 10 s) instead of at once; objects
 * stay in Redis until {@link #shutdown()} removes the manager's keys; a registered type's instances live in
 * the process that registered it, and calls from any process go through Redis to it.
 */
final class RedisManager implements Manager {
    final RedisLink link;
    private final RedisHost host;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RedisManager(RedisLink link, RedisHost host) {
        this.link = link;
        this.host = host;
    }

    static RedisManager connect(RedisAddress address, byte[] authKey, ManagerOptions options) {
        RedisLink link = RedisLink.acquire(address, authKey, options.allowList());
        try {
            link.eval("return redis.call('PING')", org.redisson.api.RScript.ReturnType.STRING,
                    "ps:{" + address.manager() + "}:ping"); // fails now, not at the first call, if the password is wrong
            link.subscribe(address.manager());
            RedisHost host = options.registrations().isEmpty() ? null : RedisHost.start(link, options.registrations());
            return new RedisManager(link, host);
        } catch (RuntimeException e) {
            link.release();
            throw e;
        }
    }

    private RedisRef ref(String kind, String extra) {
        link.checkOpen();
        return new RedisRef(link.address.text(), kind, UUID.randomUUID().toString().replace("-", ""), extra);
    }

    @Override
    public String address() {
        return link.address.text();
    }

    @Override
    public Namespace namespace() {
        return new RedisNamespace(link, ref("namespace", null));
    }

    @Override
    public <K, V> SharedMap<K, V> map() {
        return new RedisMap<>(link, ref("map", null));
    }

    @Override
    public <E> List<E> list() {
        return new RedisList<>(link, ref("list", null));
    }

    @Override
    public <E> Set<E> set() {
        return new RedisSet<>(link, ref("set", null));
    }

    @Override
    public <T> ManagedValue<T> value(T initial) {
        RedisValue<T> value = new RedisValue<>(link, ref("value", null));
        value.set(initial);
        return value;
    }

    @Override
    public ManagedDoubleArray doubleArray(int length) {
        return new RedisArrays.Doubles(link, ref("doubleArray", Integer.toString(RedisArrays.checkLength(length))));
    }

    @Override
    public ManagedDoubleArray doubleArray(double[] values) {
        ManagedDoubleArray a = doubleArray(values.length);
        a.copyFrom(0, values);
        return a;
    }

    @Override
    public ManagedIntArray intArray(int length) {
        return new RedisArrays.Ints(link, ref("intArray", Integer.toString(RedisArrays.checkLength(length))));
    }

    @Override
    public ManagedIntArray intArray(int[] values) {
        ManagedIntArray a = intArray(values.length);
        a.copyFrom(0, values);
        return a;
    }

    @Override
    public ManagedLongArray longArray(int length) {
        return new RedisArrays.Longs(link, ref("longArray", Integer.toString(RedisArrays.checkLength(length))));
    }

    @Override
    public ManagedLongArray longArray(long[] values) {
        ManagedLongArray a = longArray(values.length);
        a.copyFrom(0, values);
        return a;
    }

    @Override
    public <E> BlockingQueue<E> queue() {
        return queue(Integer.MAX_VALUE);
    }

    @Override
    public <E> BlockingQueue<E> queue(int capacity) {
        return new RedisQueue<>(link, ref("queue", Integer.toString(RedisQueue.checkCapacity(capacity))));
    }

    @Override
    public <E> JoinableQueue<E> joinableQueue() {
        return joinableQueue(Integer.MAX_VALUE);
    }

    @Override
    public <E> JoinableQueue<E> joinableQueue(int capacity) {
        return new RedisJoinableQueue<>(link, ref("joinableQueue", Integer.toString(RedisQueue.checkCapacity(capacity))));
    }

    @Override
    public ManagedLock lock() {
        return new RedisLock(link, ref("lock", null));
    }

    @Override
    public ManagedLock rlock() {
        return new RedisLock(link, ref("rlock", null));
    }

    @Override
    public ManagedSemaphore semaphore(int permits) {
        return RedisSemaphore.create(link, ref("semaphore", null), permits);
    }

    @Override
    public ManagedSemaphore boundedSemaphore(int permits) {
        return RedisSemaphore.create(link, ref("boundedSemaphore", null), permits);
    }

    @Override
    public ManagedEvent event() {
        return new RedisEvent(link, ref("event", null));
    }

    @Override
    public Condition condition(ManagedLock lock) {
        return lock.newCondition();
    }

    @Override
    public ManagedBarrier barrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("a barrier needs at least one party: " + parties);
        }
        return new RedisBarrier(link, ref("barrier", Integer.toString(parties)));
    }

    @Override
    public <T> T create(String typeId, Class<T> type, Object... args) {
        link.checkOpen();
        return RedisHost.create(link, host, typeId, type, args);
    }

    /**
     * Removes every object of this manager from Redis (all keys under {@code ps:{MANAGER/}): every process's
     * proxies then see empty objects, and hosted instances stop being served. Then closes this connection.
     */
    @Override
    public void shutdown() {
        link.checkOpen();
        try {
            link.redisson().getKeys().deleteByPattern("ps:{" + link.address.manager() + "/*");
        } catch (RedisException e) {
            throw link.failure(e);
        } finally {
            close();
        }
    }

    /**
     * Closes this connection: the objects stay in Redis for the other processes; what this process hosts is
     * no longer served, and its locks and permits lapse after the lease if it still held any.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (host != null) {
                host.close();
            }
            link.release();
        }
    }

    @Override
    public String toString() {
        return "RedisManager[" + link.address + "]";
    }
}
