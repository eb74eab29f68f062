package dev.procshare.redis;

import dev.procshare.codec.Portable;
import dev.procshare.manager.ManagerException;
import dev.procshare.manager.ManagerUnavailableException;
import dev.procshare.manager.Registration;
import dev.procshare.manager.RemoteCallException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RBlockingQueue;
import org.redisson.api.RScript;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * The instances of registered types that this process hosts, and the proxies other processes call them
 * through: Redis has no server of ours to run them, so the process that registers a type is its server.
 *
 * <p>A caller pushes {@code [call id, object id, method signature, arguments]} onto the host's call list
 * ({@code ps:{MANAGER/hHOST}:calls}, one list per manager that registered types); a host thread takes it, runs the method on the one instance (one
 * call at a time per instance, as in the socket manager; calls on different instances run in parallel) and
 * pushes the result or
 * exception onto the caller's reply list. The host keeps a lease key alive; a caller whose host's lease
 * lapses (the host died or closed) gets a {@link ManagerUnavailableException} within a lease and a second,
 * not a hang. Types are listed in {@code ps:{MANAGER/types}}, so that any process can {@code create} one.
 */
final class RedisHost implements AutoCloseable {
    /** Lets Java serialization find {@code writeReplace} on a proxy class, and FastCodec its descriptor. */
    interface Marker extends Serializable, Portable.Replaced {
        Object writeReplace() throws ObjectStreamException;
    }

    private static final String PUSH_CALL = """
            if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
            redis.call('RPUSH', KEYS[1], ARGV[1])
            return 1""";
    // KEYS: reply list; ARGV: reply, channel
    private static final String PUSH_REPLY = "redis.call('RPUSH', KEYS[1], ARGV[1]) "
            + "redis.call('PEXPIRE', KEYS[1], 600000) return redis.call('PUBLISH', ARGV[2], KEYS[1])";
    // KEYS: reply list, host lease; returns {1, reply}, {0} if the host is gone, {2} to wait on
    private static final String TAKE_REPLY = """
            local r = redis.call('LPOP', KEYS[1])
            if r then return {1, r} end
            if redis.call('EXISTS', KEYS[2]) == 0 then return {0} end
            return {2}""";
    // KEYS: types; ARGV: type id, this host's entry
    private static final String UNLIST = "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then "
            + "return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0";

    private final RedisLink link;
    /** This host, one per manager that registered types: its calls list, lease and instances are its own. */
    private final String id = UUID.randomUUID().toString().replace("-", "");
    private final Map<String, Registration> types = new HashMap<>();
    private final Map<String, Object> instances = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final ExecutorService workers;
    private final Thread taker;
    private volatile boolean closed;

    private RedisHost(RedisLink link, List<Registration> registrations) {
        this.link = link;
        for (Registration r : registrations) {
            types.put(r.typeId(), r);
        }
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "procshare-redis-host-call");
            t.setDaemon(true);
            return t;
        });
        this.taker = new Thread(this::serve, "procshare-redis-host");
        this.taker.setDaemon(true);
    }

    private static String tag(RedisLink link, String host) {
        return "ps:{" + link.address.manager() + "/h" + host + "}";
    }

    private String entry(Registration r) {
        return id + "|" + r.type().getName();
    }

    private static String typesKey(RedisLink link) {
        return "ps:{" + link.address.manager() + "/types}";
    }

    /** Starts hosting {@code registrations} in this process: the lease, the type list, the serving thread. */
    static RedisHost start(RedisLink link, List<Registration> registrations) {
        RedisHost host = new RedisHost(link, registrations);
        String lease = tag(link, host.id) + ":lease";
        link.eval("return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])", RScript.ReturnType.STRING, lease,
                RedisLink.utf8(host.id), RedisLink.utf8(Long.toString(link.leaseMillis)));
        link.hold(lease, host.id);
        for (Registration r : registrations) {
            link.eval("return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])", RScript.ReturnType.LONG, typesKey(link),
                    RedisLink.utf8(r.typeId()), RedisLink.utf8(host.entry(r)));
        }
        host.taker.start();
        return host;
    }

    /**
     * Stops serving: the types this host listed are unlisted (unless another host listed them since), its
     * lease and pending calls are deleted, so callers fail at once instead of after a lease.
     */
    @Override
    public void close() {
        closed = true;
        String tag = tag(link, id);
        link.unhold(tag + ":lease", id);
        taker.interrupt();
        workers.shutdownNow();
        try {
            for (Registration r : types.values()) {
                link.eval(UNLIST, RScript.ReturnType.LONG, typesKey(link), RedisLink.utf8(r.typeId()),
                        RedisLink.utf8(entry(r)));
            }
            link.eval("return redis.call('DEL', KEYS[1], KEYS[2])", RScript.ReturnType.LONG,
                    List.of(tag + ":lease", tag + ":calls"));
        } catch (RuntimeException e) {
            // Redis unreachable: the lease lapses by itself, and callers learn it then
        }
    }

    // ---- the host side ----

    private void serve() {
        RBlockingQueue<byte[]> calls = link.redisson().getBlockingQueue(tag(link, id) + ":calls",
                ByteArrayCodec.INSTANCE);
        while (!closed && !link.isClosed()) {
            byte[] request;
            try {
                request = calls.poll(1, TimeUnit.SECONDS); // one connection, blocked in BLPOP, for the whole host
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed || link.isClosed()) {
                    return;
                }
                sleepQuietly(); // Redis unreachable: try again; callers time out by themselves
                continue;
            }
            if (request != null) {
                workers.execute(() -> run(request));
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(byte[] request) {
        int cut = 0;
        while (cut < request.length && request[cut] != 0) {
            cut++;
        }
        if (cut == request.length) {
            return; // not a request of ours: nobody to answer
        }
        // the reply key travels before the encoded call, so that a call this host cannot decode is answered
        String replyKey = new String(request, 0, cut, java.nio.charset.StandardCharsets.UTF_8);
        Object outcome;
        boolean ok = false;
        try {
            List<?> call = link.decode(Arrays.copyOfRange(request, cut + 1, request.length));
            String objectId = (String) call.get(0);
            String signature = (String) call.get(1);
            Object[] args = ((List<?>) call.get(2)).toArray();
            outcome = signature.startsWith("create:") ? createHere(signature.substring(7), args) : invoke(objectId, signature, args);
            ok = true;
        } catch (InvocationTargetException e) {
            outcome = e.getCause();
        } catch (Throwable t) {
            outcome = t;
        }
        reply(replyKey, ok, outcome);
    }

    private void reply(String replyKey, boolean ok, Object outcome) {
        byte[] bytes;
        try {
            List<Object> value = new ArrayList<>(1); // a list: the outcome may be null
            value.add(ok ? outcome : RemoteCallException.transportable((Throwable) outcome, link.allowList()));
            bytes = link.encode(new ArrayList<>(Arrays.asList(ok, value))); // an ArrayList: FastCodec writes it natively
        } catch (RuntimeException e) {
            Throwable t = ok ? new ManagerException("the result of the call cannot be sent back: " + e.getMessage())
                    : (Throwable) outcome;
            List<Object> value = new ArrayList<>(1);
            value.add(new RemoteCallException(t.getClass().getName(), t.getMessage(), t.getStackTrace(), null));
            bytes = link.encode(new ArrayList<>(Arrays.asList(false, value)));
        }
        try {
            link.eval(PUSH_REPLY, RScript.ReturnType.LONG, replyKey, bytes,
                    RedisLink.utf8(RedisLink.channel(link.address.manager())));
        } catch (RuntimeException e) {
            // Redis unreachable: the caller's own wait ends with an error
        }
    }

    private Object invoke(String objectId, String signature, Object[] args) throws Exception {
        Object target = instances.get(objectId);
        if (target == null) {
            throw new ManagerException("object " + objectId + " is not hosted by this process (any more)");
        }
        Registration r = registrationOf(target);
        Method m = r.methods().get(signature);
        if (m == null) {
            throw new ManagerException("type '" + r.typeId() + "' exposes no method " + signature);
        }
        Object result;
        synchronized (target) { // one call at a time per instance, as the socket manager runs them
            result = m.invoke(target, args);
        }
        for (Registration other : types.values()) {
            if (result != null && m.getReturnType() == other.type() && !Proxy.isProxyClass(result.getClass())) {
                return adopt(other, result); // a method returning a registered interface returns a proxy
            }
        }
        return result;
    }

    private Registration registrationOf(Object target) {
        for (Registration r : types.values()) {
            if (r.type().isInstance(target)) {
                return r;
            }
        }
        throw new ManagerException(target.getClass().getName() + " is no registered type here");
    }

    private RedisRef adopt(Registration r, Object instance) {
        String objectId = id + "-" + ids.incrementAndGet();
        instances.put(objectId, instance);
        return new RedisRef(link.address.text(), "object", objectId, id + "|" + r.typeId() + "|" + r.type().getName());
    }

    private RedisRef createHere(String typeId, Object[] args) throws Exception {
        Registration r = types.get(typeId);
        if (r == null) {
            throw new ManagerException("type '" + typeId + "' is not registered in the process serving it");
        }
        Object instance = r.factory().create(args);
        if (!r.type().isInstance(instance)) {
            throw new ManagerException("the factory of '" + typeId + "' made a " + instance.getClass().getName()
                    + ", not a " + r.type().getName());
        }
        return adopt(r, instance);
    }

    // ---- the caller side ----

    static <T> T create(RedisLink link, RedisHost host, String typeId, Class<T> type, Object... args) {
        if (host != null && host.types.containsKey(typeId)) {
            Registration r = host.types.get(typeId);
            if (!type.isAssignableFrom(r.type())) {
                throw new IllegalArgumentException("type '" + typeId + "' is registered with " + r.type().getName()
                        + ", not " + type.getName());
            }
            try {
                return type.cast(proxy(link, host.createHere(typeId, args)));
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new RemoteCallException(e.getClass().getName(), e.getMessage(), e.getStackTrace(), e.getCause());
            }
        }
        Object entry = link.eval("return redis.call('HGET', KEYS[1], ARGV[1])", RScript.ReturnType.VALUE,
                typesKey(link), RedisLink.utf8(typeId));
        if (entry == null) {
            throw new IllegalArgumentException("no type '" + typeId + "' is registered with this manager: no process "
                    + "connected to " + link.address + " registered it; register it with Manager.builder().register(...)"
                    + " in the process that should host it");
        }
        String hostId = RedisLink.text(entry).split("\\|")[0];
        try {
            return type.cast(call(link, hostId, "", "create:" + typeId, args, false, "type '" + typeId + "'"));
        } catch (InterruptedExceptionCarrier e) {
            throw new AssertionError(e); // not interruptible
        } catch (ThrowableCarrier c) {
            Throwable t = c.getCause();
            if (t instanceof RuntimeException re) {
                throw re;
            }
            throw new RemoteCallException(t.getClass().getName(), t.getMessage(), t.getStackTrace(), t.getCause());
        }
    }

    static Object proxy(RedisLink link, RedisRef ref) {
        String[] parts = ref.extra().split("\\|");
        Class<?> type;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            type = Class.forName(parts[2], false, loader != null ? loader : RedisHost.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ManagerException("the interface " + parts[2] + " of type '" + parts[1]
                    + "' is not on this JVM's classpath", e);
        }
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type, Marker.class},
                new Caller(link, ref, parts[0], parts[1]));
    }

    /**
     * One call: pushed to the host, answered on a reply list of its own. The wait is woken by the host's
     * publish and looks again every 100 ms, each look also asking whether the host's lease is still there: a
     * dead host fails the call within a lease and that. An interrupt ends only waits that may be interrupted,
     * and never drops a reply that came (the reply is taken by a command that is not interrupted).
     */
    private static Object call(RedisLink link, String hostId, String objectId, String signature, Object[] args,
            boolean interruptible, String what) throws InterruptedExceptionCarrier {
        String tag = tag(link, hostId);
        String replyKey = tag + ":r:" + UUID.randomUUID().toString().replace("-", "");
        byte[] head = RedisLink.utf8(replyKey);
        byte[] body = link.encode(new ArrayList<>(Arrays.asList(objectId, signature, new ArrayList<>(Arrays.asList(args)))));
        byte[] request = new byte[head.length + 1 + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length + 1, body.length);
        if (link.evalLong(PUSH_CALL, List.of(tag + ":calls", tag + ":lease"), request) == 0) {
            throw hostGone(link, what);
        }
        List<Object> keys = List.of(replyKey, tag + ":lease");
        boolean interrupted = false;
        try {
            while (true) {
                List<Object> r;
                try {
                    r = link.await(replyKey, Long.MAX_VALUE, () -> {
                        List<Object> got = link.evalList(TAKE_REPLY, keys);
                        return ((Number) got.get(0)).longValue() == 2 ? null : got;
                    });
                } catch (InterruptedException e) {
                    if (interruptible) {
                        throw new InterruptedExceptionCarrier(e);
                    }
                    interrupted = true;
                    continue;
                }
                if (((Number) r.get(0)).longValue() == 0) {
                    throw hostGone(link, what);
                }
                List<?> reply = link.decode(r.get(1));
                Object value = ((List<?>) reply.get(1)).get(0);
                if (Boolean.TRUE.equals(reply.get(0))) {
                    return value;
                }
                throw new ThrowableCarrier((Throwable) value);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ManagerUnavailableException hostGone(RedisLink link, String what) {
        return new ManagerUnavailableException("the process hosting " + what + " on " + link.address
                + " died or closed its manager (its lease lapsed); the call may or may not have run", null);
    }

    /** Carries an interrupt out of {@link #call} for methods that declare it. */
    private static final class InterruptedExceptionCarrier extends Exception {
        private static final long serialVersionUID = 1L;

        InterruptedExceptionCarrier(InterruptedException e) {
            super(e);
        }
    }

    /** Carries the called method's own exception out of {@link #call}. */
    private static final class ThrowableCarrier extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ThrowableCarrier(Throwable t) {
            super(t);
        }
    }

    private static final class Caller implements InvocationHandler {
        private static final Map<Method, String> SIGNATURES = new ConcurrentHashMap<>();

        private final RedisLink link;
        private final RedisRef ref;
        private final String hostId;
        private final String typeId;

        Caller(RedisLink link, RedisRef ref, String hostId, String typeId) {
            this.link = link;
            this.ref = ref;
            this.hostId = hostId;
            this.typeId = typeId;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                switch (method.getName()) {
                    case "equals":
                        return args[0] != null && Proxy.isProxyClass(args[0].getClass())
                                && Proxy.getInvocationHandler(args[0]) instanceof Caller other
                                && other.ref.equals(ref);
                    case "hashCode":
                        return ref.id().hashCode();
                    default:
                        return typeId + "#" + ref.id() + "@" + ref.address();
                }
            }
            if (method.getDeclaringClass() == Marker.class || method.getDeclaringClass() == Portable.Replaced.class) {
                return ref;
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            boolean interruptible = false;
            for (Class<?> e : method.getExceptionTypes()) {
                interruptible |= e.isAssignableFrom(InterruptedException.class);
            }
            String signature = SIGNATURES.computeIfAbsent(method, Registration::signature);
            try {
                return call(link, hostId, ref.id(), signature, args == null ? new Object[0] : args, interruptible,
                        "object " + typeId + "#" + ref.id());
            } catch (InterruptedExceptionCarrier e) {
                throw e.getCause();
            } catch (ThrowableCarrier c) {
                Throwable t = c.getCause();
                if (t instanceof RuntimeException || t instanceof Error) {
                    throw t;
                }
                for (Class<?> declared : method.getExceptionTypes()) {
                    if (declared.isInstance(t)) {
                        throw t;
                    }
                }
                throw new RemoteCallException(t.getClass().getName(), t.getMessage(), t.getStackTrace(), t.getCause());
            }
        }
    }
}
