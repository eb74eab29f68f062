package dev.procshare.redis;

import dev.procshare.codec.AllowList;
import dev.procshare.codec.ClassNotAllowedException;
import dev.procshare.codec.Codec;
import dev.procshare.manager.AuthenticationException;
import dev.procshare.manager.CodecProvider;
import dev.procshare.manager.ManagerException;
import dev.procshare.manager.ManagerUnavailableException;
import dev.procshare.process.InheritedContext;
import java.io.IOException;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.redisson.Redisson;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.client.RedisWrongPasswordException;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * This process's connection to one Redis deployment, shared by every manager and proxy for the same address
 * and key: the Redisson client, the codec with the process's allow-list, the session that owns this process's
 * locks and permits, and the heartbeat that keeps their leases.
 *
 * <p><b>Leases.</b> What a process holds (a lock, permits, a barrier or condition wait, items taken from a
 * joinable queue, the objects it hosts) is marked by a key that expires after the address's lease unless
 * the heartbeat, every third of a lease, renews it. A killed process stops renewing, so within one lease
 * the next process sees the key gone and takes over, learning that the owner died. A process stalled for
 * longer than a lease (a long GC pause, Redis unreachable) loses its holds the same way: its next unlock
 * then fails instead of releasing someone else's lock.
 */
final class RedisLink {
    private static final Map<String, RedisLink> SHARED = new ConcurrentHashMap<>();
    /** The inherited-context entry that hands this process's allow-list additions for an address down. */
    private static final String ALLOW = "procshare.redis.allow@";
    /** A waiter looks again at least this often, whatever pub/sub says: dead owners send no message. */
    static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    final RedisAddress address;
    final String session = UUID.randomUUID().toString().replace("-", "");
    final long leaseMillis;
    private final RedissonClient redisson;
    private final io.netty.channel.EventLoopGroup eventLoops;
    private final java.util.concurrent.ExecutorService callbacks;
    private final RScript script;
    private final String id;
    private volatile AllowList allowList = AllowList.defaults();
    private volatile Codec codec = CodecProvider.standard().create(allowList);
    private final Map<String, Lease> renewals = new ConcurrentHashMap<>();
    private final Map<String, Signal> signals = new ConcurrentHashMap<>();
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService heartbeat;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int users;

    private RedisLink(RedisAddress address, byte[] authKey, String id) {
        this.address = address;
        this.leaseMillis = address.lease().toMillis();
        this.id = id;
        // daemon threads: a process that only attached proxies it was sent must still be able to exit
        this.eventLoops = new io.netty.channel.MultiThreadIoEventLoopGroup(4,
                new io.netty.util.concurrent.DefaultThreadFactory("procshare-redis-io", true),
                io.netty.channel.nio.NioIoHandler.newFactory());
        this.callbacks = Executors.newFixedThreadPool(2, new io.netty.util.concurrent.DefaultThreadFactory(
                "procshare-redis-callback", true));
        org.redisson.config.Config config = address.config(authKey);
        config.setEventLoopGroup(eventLoops);
        config.setExecutor(callbacks);
        try {
            this.redisson = Redisson.create(config);
        } catch (RuntimeException e) {
            eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            callbacks.shutdownNow();
            throw connectFailure(address, e);
        }
        this.script = redisson.getScript(ByteArrayCodec.INSTANCE);
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "procshare-redis-lease");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, leaseMillis / 3);
        heartbeat.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    /** The link for {@code address} and {@code authKey}, made on first use; counted until {@link #release()}. */
    static RedisLink acquire(RedisAddress address, byte[] authKey, AllowList allow) {
        String id = address.text() + " " + java.util.Base64.getEncoder().encodeToString(authKey);
        RedisLink link;
        synchronized (SHARED) {
            link = SHARED.get(id);
            if (link == null) {
                link = new RedisLink(address, authKey, id);
                SHARED.put(id, link);
                ExitWatch.start();
            }
            link.users++;
        }
        link.allow(allow);
        return link;
    }

    /** An open link of this process to {@code address} (any key), or null: what an arriving proxy attaches to. */
    static RedisLink open(String address) {
        for (RedisLink link : SHARED.values()) {
            if (link.address.text().equals(address) && !link.isClosed()) {
                return link;
            }
        }
        return null;
    }

    /**
     * Widens this link's allow-list: a process's managers for one address read each other's values, and the
     * JVMs this process starts inherit the widened list (over their private launch channel), so that a proxy
     * that travels to a child reads there what it read here. Redis itself is never trusted with the list.
     */
    synchronized void allow(AllowList more) {
        AllowList merged = allowList.allowClasses(more.allowedClasses()).allowPackages(more.allowedPackages());
        byte[] inherited = InheritedContext.get(ALLOW + address.text());
        if (inherited != null) {
            for (String line : new String(inherited, StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("c:")) {
                    merged = merged.allowClasses(List.of(line.substring(2)));
                } else if (line.startsWith("p:")) {
                    merged = merged.allowPackages(List.of(line.substring(2)));
                }
            }
        }
        if (merged.equals(allowList)) {
            return;
        }
        allowList = merged;
        codec = CodecProvider.standard().create(merged);
        StringBuilder text = new StringBuilder();
        merged.allowedClasses().forEach(c -> text.append("c:").append(c).append('\n'));
        merged.allowedPackages().forEach(p -> text.append("p:").append(p).append('\n'));
        InheritedContext.put(ALLOW + address.text(), utf8(text.toString()));
    }

    AllowList allowList() {
        return allowList;
    }

    /** Drops one user; the last one closes the client and stops the heartbeat (leases then lapse). */
    void release() {
        synchronized (SHARED) {
            if (--users > 0) {
                return;
            }
            SHARED.remove(id, this);
        }
        close();
    }

    boolean isClosed() {
        return closed.get();
    }

    private void close() {
        if (closed.compareAndSet(false, true)) {
            heartbeat.shutdownNow();
            redisson.shutdown(0, 2, TimeUnit.SECONDS);
            eventLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS); // ours, so Redisson leaves it running
            callbacks.shutdownNow();
        }
    }

    RedissonClient redisson() {
        return redisson;
    }

    // ---- commands ----

    /** Runs {@code lua} with {@code keys} (all of one hash tag) and {@code args}; Redis failures become ours. */
    Object eval(String lua, RScript.ReturnType type, List<Object> keys, Object... args) {
        checkOpen();
        try {
            // asynchronously, joined without interruption: an interrupt must not drop a reply whose command
            // ran (a take that took an item); waits are interrupted between commands instead
            return script.evalAsync((String) keys.get(0), RScript.Mode.READ_WRITE, lua, type, keys, args)
                    .toCompletableFuture().join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RedisException r) {
                throw failure(r);
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new ManagerUnavailableException("Redis at " + address + " failed: " + e.getCause(), e.getCause());
        } catch (RedisException e) {
            throw failure(e);
        }
    }

    /** {@link #eval} with one key. */
    Object eval(String lua, RScript.ReturnType type, String key, Object... args) {
        return eval(lua, type, List.of(key), args);
    }

    long evalLong(String lua, List<Object> keys, Object... args) {
        Object r = eval(lua, RScript.ReturnType.LONG, keys, args);
        return r == null ? 0 : ((Number) r).longValue();
    }

    @SuppressWarnings("unchecked")
    List<Object> evalList(String lua, List<Object> keys, Object... args) {
        Object r = eval(lua, RScript.ReturnType.LIST, keys, args);
        return r == null ? List.of() : (List<Object>) r;
    }

    void checkOpen() {
        if (closed.get()) {
            throw new ManagerException("the manager at " + address + " was closed in this process");
        }
    }

    ManagerException failure(RedisException e) {
        String text = String.valueOf(e.getMessage());
        if (refusesPassword(e)) {
            return passwordRefused(address, text);
        }
        if (text.contains("NOPERM")) {
            return new AuthenticationException("Redis at " + address + " refused the command to this user (ACL): " + text);
        }
        if (text.contains("user_script") || text.startsWith("ERR ") || text.contains("WRONGTYPE")) {
            return new ManagerException("Redis at " + address + " refused a command: " + text, e);
        }
        return new ManagerUnavailableException("Redis at " + address + " did not answer (" + text
                + "); the call may or may not have taken effect", e);
    }

    /** Whether Redis answered that the password (or the user) is wrong, or that it wants one. */
    private static boolean refusesPassword(Throwable t) {
        String text = String.valueOf(t.getMessage());
        return t instanceof RedisWrongPasswordException || text.contains("WRONGPASS") || text.contains("NOAUTH")
                || text.contains("invalid password") || text.contains("invalid username-password");
    }

    private static AuthenticationException passwordRefused(RedisAddress address, String text) {
        return new AuthenticationException("Redis at " + address + " refused the password (the manager's auth key): "
                + text);
    }

    private static ManagerException connectFailure(RedisAddress address, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (refusesPassword(t)) {
                return passwordRefused(address, String.valueOf(t.getMessage()));
            }
        }
        return new ManagerUnavailableException("cannot connect to Redis at " + address + ": " + e.getMessage(), e);
    }

    // ---- values ----

    /**
     * The bytes of {@code value} for Redis. A class the allow-list refuses is refused here, before anything
     * is written, so that no process stores what the others cannot read.
     */
    byte[] encode(Object value) {
        Codec c = codec;
        byte[] bytes;
        try {
            bytes = c.encode(value);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("cannot store a value of " + value.getClass().getName()
                    + " in the manager: it is not serializable (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getName() + ": " + e, e);
        }
        if (value != null && !isPlain(value)) {
            try {
                c.decode(bytes); // every class inside must be allowed, or nobody could read it back
            } catch (ClassNotAllowedException e) {
                throw new IllegalArgumentException("class not allowed: " + e.getMessage() + " (in a value of "
                        + value.getClass().getName() + "); allow it with Manager.builder().allow(...)", e);
            } catch (IOException | ClassNotFoundException e) {
                throw new IllegalArgumentException("a value of " + value.getClass().getName()
                        + " does not read back: " + e, e);
            }
        }
        return bytes;
    }

    private static boolean isPlain(Object v) {
        return v instanceof String || v instanceof Number && v.getClass().getName().startsWith("java.lang.")
                || v instanceof Boolean || v instanceof Character || v instanceof byte[] || v instanceof int[]
                || v instanceof long[] || v instanceof double[];
    }

    /** The value {@code bytes} hold (null for a missing key); refused classes fail with a clear error. */
    @SuppressWarnings("unchecked")
    <T> T decode(Object bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return (T) codec.decode((byte[]) bytes);
        } catch (ClassNotAllowedException e) {
            throw new ManagerException("a value in Redis at " + address + " is of a class this process does not "
                    + "allow: " + e.getMessage() + "; allow it with Manager.builder().allow(...)", e);
        } catch (IOException | ClassNotFoundException e) {
            throw new ManagerException("a value in Redis at " + address + " cannot be read: " + e, e);
        }
    }

    /** Every value of a multi-bulk reply, decoded, in order. */
    <T> List<T> decodeAll(List<Object> raw) {
        List<T> values = new ArrayList<>(raw.size());
        for (Object b : raw) {
            values.add(decode(b));
        }
        return values;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(Object bytes) {
        return bytes == null ? null : new String((byte[]) bytes, StandardCharsets.UTF_8);
    }

    // ---- leases ----

    /** This thread's owner name in lock and permit records. */
    String owner() {
        return session + ":" + Thread.currentThread().getId();
    }

    /**
     * Keeps {@code leaseKey}, which holds {@code value}, alive while this process lives: one more hold on it (a
     * lock's lease has one, a semaphore's one per permit this process took, a queue's one per item taken).
     */
    void hold(String leaseKey, String value) {
        hold(leaseKey, value, 1);
    }

    /** {@code n} more holds on {@code leaseKey} for {@code value}. */
    void hold(String leaseKey, String value, int n) {
        renewals.compute(leaseKey, (k, lease) -> lease == null || !lease.value.equals(value)
                ? new Lease(value, n) : new Lease(value, lease.holds + n));
    }

    /** Drops {@code n} holds on {@code leaseKey}, if it is still held for {@code value}: never another owner's. */
    void unhold(String leaseKey, String value, int n) {
        renewals.computeIfPresent(leaseKey, (k, lease) -> !lease.value.equals(value) ? lease
                : lease.holds - n <= 0 ? null : new Lease(value, lease.holds - n));
    }

    /** Drops every hold on {@code leaseKey} for {@code value} (a lock released, a wait ended). */
    void unhold(String leaseKey, String value) {
        unhold(leaseKey, value, Integer.MAX_VALUE);
    }

    /** What the heartbeat renews: the value the key must still hold, and how many holds this process has. */
    private record Lease(String value, int holds) {
    }

    private static final String RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
            + "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";

    private void renew() {
        List<Map.Entry<String, Lease>> held = new ArrayList<>(renewals.entrySet());
        for (Map.Entry<String, Lease> e : held) {
            try {
                script.evalAsync(e.getKey(), RScript.Mode.READ_WRITE, RENEW, RScript.ReturnType.LONG,
                        List.of(e.getKey()), utf8(e.getValue().value()), utf8(Long.toString(leaseMillis)));
            } catch (RuntimeException ignored) {
                // Redis unreachable: the next beat tries again; a lease that lapses meanwhile is lost, as documented
            }
        }
    }

    // ---- waiting ----

    /** The channel every change that may free a waiter is published on, for one manager. */
    static String channel(String manager) {
        return "ps:{" + manager + "}:wake";
    }

    /** Subscribes this process to {@code manager}'s wake-ups (once); waits are correct without, only slower. */
    void subscribe(String manager) {
        if (subscribed.add(manager)) {
            try {
                redisson.getTopic(channel(manager), ByteArrayCodec.INSTANCE)
                        .addListener(byte[].class, (ch, msg) -> {
                            Signal waited = signals.get(text(msg)); // nobody here waits for the others
                            if (waited != null) {
                                waited.bump();
                            }
                        });
            } catch (RedisException e) {
                subscribed.remove(manager);
                throw failure(e);
            }
        }
    }

    /** What an attempt inside {@link #await} does: a result ends the wait, null tries again after a wake-up. */
    interface Attempt<T> {
        T run();
    }

    /**
     * Runs {@code attempt} until it returns non-null or {@code nanos} pass (then returns null), sleeping between
     * tries until a change to {@code key} is published or {@link #POLL_NANOS} pass.
     */
    <T> T await(String key, long nanos, Attempt<T> attempt) throws InterruptedException {
        Signal signal = signals.compute(key, (k, s) -> {
            Signal mine = s == null ? new Signal() : s;
            mine.waiters++; // under the map's lock for this key, as the removal below
            return mine;
        });
        // a bound of centuries is no bound (and would overflow the deadline)
        long deadline = nanos > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : System.nanoTime() + nanos;
        try {
            while (true) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                long seen = signal.count();
                T result = attempt.run();
                if (result != null) {
                    return result;
                }
                long left = deadline == Long.MAX_VALUE ? POLL_NANOS : deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                signal.await(seen, Math.min(left, POLL_NANOS));
            }
        } finally {
            signals.computeIfPresent(key, (k, s) -> --s.waiters == 0 ? null : s);
        }
    }

    /**
     * Lets a program end whose main returned with a link still open (a manager not closed, or proxies it was
     * sent): Redisson's timer thread is not a daemon and cannot be made one, so when only it is left beside
     * the JVM's own {@code DestroyJavaVM}, this closes every link, which stops it.
     */
    private static final class ExitWatch implements Runnable {
        private static Thread thread;

        static synchronized void start() {
            if (thread == null || !thread.isAlive()) {
                thread = new Thread(new ExitWatch(), "procshare-redis-exit-watch");
                thread.setDaemon(true);
                thread.start();
            }
        }

        @Override
        public void run() {
            while (!SHARED.isEmpty()) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                boolean mainEnded = false;
                boolean othersLeft = false;
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (t.isDaemon() || t == Thread.currentThread()) {
                        continue;
                    }
                    if (t.getName().equals("DestroyJavaVM")) {
                        mainEnded = true;
                    } else if (!t.getName().startsWith("redisson-")) {
                        othersLeft = true;
                    }
                }
                if (mainEnded && !othersLeft) {
                    for (RedisLink link : SHARED.values()) {
                        link.close();
                    }
                    SHARED.clear();
                }
            }
        }
    }

    /** Counts the wake-ups for one key; a waiter that saw count n sleeps until it moves. */
    static final class Signal {
        private long count;
        /** Threads of this process waiting on the key; changed only inside the signal map's compute. */
        int waiters;

        synchronized long count() {
            return count;
        }

        synchronized void bump() {
            count++;
            notifyAll();
        }

        synchronized void await(long seen, long nanos) throws InterruptedException {
            long deadline = System.nanoTime() + nanos;
            while (count == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }
}
