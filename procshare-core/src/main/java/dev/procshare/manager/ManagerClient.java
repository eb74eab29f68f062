package dev.procshare.manager;

import dev.procshare.connection.Address;
import dev.procshare.codec.AllowList;
import dev.procshare.codec.Codec;
import java.io.EOFException;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One JVM's client of one manager: a pool of authenticated connections (a calling thread takes one, so
 * threads never wait for each other's replies), the codec agreed with the server, and the reference counts
 * of the proxies alive here. The server sees it as one session: when its last connection closes (the client
 * is closed, or its process dies) the server drops its references and releases what it held.
 */
final class ManagerClient implements AutoCloseable {
    private static final Map<Address, ManagerClient> SHARED = new ConcurrentHashMap<>();
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long CONNECT_TIMEOUT_NANOS = 10_000_000_000L;

    private final Address address;
    private final byte[] key;
    private final byte[] sessionId = java.util.Arrays.copyOf(Handshake.nonce(), Handshake.SESSION_ID);
    private final ConcurrentLinkedDeque<Link> idle = new ConcurrentLinkedDeque<>();
    private final Set<Link> all = ConcurrentHashMap.newKeySet();
    private final AtomicInteger seq = new AtomicInteger();
    private volatile Codec codec;
    private volatile int maxFrame = 64 << 20;
    private volatile boolean closed;
    /** Completes once the server this process is starting listens (or fails to); null if not starting one. */
    private volatile java.util.concurrent.CompletableFuture<Void> started;

    /** Proxies alive in this JVM per object id; the server holds one reference for all of them. */
    private final Map<Long, Integer> live = new HashMap<>();
    /** Objects whose proxy was sent to another process: kept alive as long as this client is. */
    private final Set<Long> exported = new HashSet<>();
    private final List<Long> pendingIncrefs = new ArrayList<>();
    private final List<Long> pendingDecrefs = new ArrayList<>();

    /** One authenticated connection and the id the server gave it (for cancelling its call). */
    private record Link(Connection conn, long id) {
        // Identity, as a set member needs; and no method-handle bootstrap of a record's equals (see Address).
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    private ManagerClient(Address address, byte[] key) {
        this.address = address;
        this.key = key.clone();
    }

    /** A new client; the first connection is made (and the key checked) before it returns. */
    static ManagerClient connect(Address address, byte[] key) {
        ManagerClient client = new ManagerClient(address, key);
        try {
            client.release(client.borrow());
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return client;
    }

    /**
     * A client of a server that is still starting, not connected yet: its first connection waits until
     * {@code started} completes (null: it does not wait), and fails with the reason if that completes
     * exceptionally.
     */
    static ManagerClient starting(Address address, byte[] key, java.util.concurrent.CompletableFuture<Void> started) {
        ManagerClient client = new ManagerClient(address, key);
        client.started = started;
        return client;
    }

    /** Opens one connection ahead of the first call (a starting server's launcher does this), ungated. */
    void connectFirst() {
        release(connect());
    }

    /** The client that proxies arriving in this JVM use for {@code address}; connects on first call. */
    static ManagerClient shared(Address address) {
        ManagerClient client = SHARED.get(address);
        if (client == null || client.closed) {
            synchronized (SHARED) {
                client = SHARED.get(address);
                if (client == null || client.closed) {
                    client = new ManagerClient(address, AuthKeys.forAddress(address));
                    SHARED.put(address, client);
                }
            }
        }
        return client;
    }

    /** Makes {@code client} the one that proxies arriving here for its address use. */
    static void share(ManagerClient client) {
        SHARED.put(client.address, client);
    }

    Address address() {
        return address;
    }

    // ---- calls ----

    /** A call that must not be interrupted: an interrupt waits for the reply and stays set. */
    Object call(long objectId, String op, Object... args) {
        try {
            return invoke(objectId, op, false, args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new ManagerException(op + " failed on the manager: " + t, t);
        }
    }

    /** A call that an interrupt of this thread cancels on the server. */
    Object callInterruptibly(long objectId, String op, Object... args) throws InterruptedException {
        try {
            return invoke(objectId, op, true, args);
        } catch (RuntimeException | Error | InterruptedException e) {
            throw e;
        } catch (Throwable t) {
            throw new ManagerException(op + " failed on the manager: " + t, t);
        }
    }

    /** Runs {@code op} on object {@code objectId} and returns its result, or throws what it threw there. */
    Object invoke(long objectId, String op, boolean interruptible, Object[] args) throws Throwable {
        return invoke(objectId, op, interruptible, args, true);
    }

    private Object invoke(long objectId, String op, boolean interruptible, Object[] args, boolean flush)
            throws Throwable {
        if (closed) {
            throw new ManagerException("this manager client is closed");
        }
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (flush) {
            flushRefs();
        }
        ArrayList<Object> argList = new ArrayList<>(args.length);
        Collections.addAll(argList, args);
        int s = seq.incrementAndGet();
        ArrayList<Object> request = new ArrayList<>(5);
        request.add(s);
        request.add(objectId);
        request.add(op);
        request.add(Thread.currentThread().getId());
        request.add(argList);
        Codec c = codec();
        byte[] bytes;
        try {
            bytes = c.encode(request);
        } catch (IOException e) {
            throw new IllegalArgumentException("an argument of " + op + " cannot be sent to the manager: " + e, e);
        }
        if (bytes.length > maxFrame) {
            throw new IllegalArgumentException("the call " + op + " is " + bytes.length + " bytes, over the manager's"
                    + " frame limit of " + maxFrame + " (Manager.builder().maxFrameBytes)");
        }
        Link link = borrow();
        boolean healthy = false;
        byte[] replyBytes;
        try {
            link.conn.send(bytes);
            Runnable onInterrupt = interruptible ? () -> cancel(link.id, s) : null;
            replyBytes = link.conn.receive(maxFrame, Connection.SPIN_NANOS, 0, onInterrupt);
            healthy = true;
        } catch (IOException e) {
            throw unavailable(e);
        } finally {
            if (healthy) {
                release(link);
            } else {
                discard(link);
            }
        }
        Object reply;
        try {
            reply = c.decode(replyBytes);
        } catch (IOException | ClassNotFoundException e) {
            throw new ManagerException("the manager's reply to " + op + " could not be decoded here: " + e, e);
        }
        List<?> r = (List<?>) reply;
        Object value = r.get(1);
        int status = (Integer) r.get(0);
        if (status == ServerConnection.OBJECT_REF) {
            List<?> f = (List<?>) value;
            return new ObjectRef((Long) f.get(0), (String) f.get(1), (String) f.get(2), (String) f.get(3));
        }
        if (status != 0) {
            Throwable remote = (Throwable) value;
            remote.addSuppressed(new CallSite(op, objectId, address));
            if (remote instanceof InterruptedException && interruptible) {
                Thread.interrupted(); // the interrupt became this exception
            }
            throw remote;
        }
        return value;
    }

    /** Where a remote exception was received: shows the caller's stack under the server's. */
    static final class CallSite extends Exception {
        private static final long serialVersionUID = 1L;

        CallSite(String op, long objectId, Address address) {
            super("called here: " + op + " on object " + objectId + " of the manager at " + address);
        }
    }

    private void cancel(long connectionId, int s) {
        try {
            invoke(ObjectTable.ROOT, "cancel", false, new Object[] {connectionId, s}, false);
        } catch (Throwable ignored) {
            // the call's own reply tells what happened
        }
    }

    private ManagerUnavailableException unavailable(IOException e) {
        String why = e instanceof EOFException ? "closed the connection (it was shut down or died)" : e.toString();
        return new ManagerUnavailableException("manager at " + address + " " + why, e);
    }

    // ---- connections ----

    private Link borrow() {
        Link link = idle.pollFirst();
        if (link != null) {
            return link;
        }
        if (closed) {
            throw new ManagerException("this manager client is closed");
        }
        if (awaitStarted()) {
            link = idle.pollFirst(); // the launcher's first connection
            if (link != null) {
                return link;
            }
        }
        return connect();
    }

    /**
     * Waits until a server this process is starting listens (bounded: the launcher gives up within its start
     * timeout); true if it waited. Throws why the server could not start.
     */
    boolean awaitStarted() {
        java.util.concurrent.CompletableFuture<Void> gate = started;
        if (gate == null) {
            return false;
        }
        try {
            gate.join();
        } catch (java.util.concurrent.CompletionException e) {
            // a fresh exception per call, the launcher's reason as its cause
            throw new ManagerException(e.getCause().getMessage(), e.getCause());
        }
        started = null;
        return true;
    }

    private Link connect() {
        Link link;
        Connection conn;
        try {
            conn = Connection.open(address);
        } catch (IOException e) {
            throw new ManagerUnavailableException("no manager is listening at " + address + ": " + e.getMessage(), e);
        }
        try {
            Handshake.Server server = Handshake.connect(conn, key, sessionId, System.nanoTime() + CONNECT_TIMEOUT_NANOS);
            adopt(server.settings());
            if (SHARED_MEMORY && address.isUnix()) {
                moveToSharedMemory(conn);
            }
            link = new Link(conn, server.connectionId());
            all.add(link);
            return link;
        } catch (IOException e) {
            conn.close();
            throw unavailable(e);
        } catch (RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    /**
     * Same-host connections carry their frames through shared memory ({@link ShmLink}): a round trip then
     * needs no system call while both sides are awake. System property {@code procshare.manager.shm=false}
     * keeps them on the socket.
     */
    private static final boolean SHARED_MEMORY = Boolean.parseBoolean(System.getProperty("procshare.manager.shm", "true"));

    private void moveToSharedMemory(Connection conn) throws IOException {
        ArrayList<Object> request = new ArrayList<>(List.of(0, ObjectTable.ROOT, "shm", 0L, new ArrayList<>()));
        conn.send(codec.encode(request));
        List<?> reply;
        try {
            reply = (List<?>) codec.decode(conn.receive(maxFrame, Connection.SPIN_NANOS, 0, null));
        } catch (ClassNotFoundException e) {
            throw new IOException("the manager's answer to the shared-memory request is unreadable", e);
        }
        if ((Integer) reply.get(0) != ServerConnection.VALUE) {
            return; // refused (another host, no /dev/shm there): the socket serves
        }
        // The server reads from the segment from now on; if this side cannot open it, the connection is lost.
        ShmLink shm = ShmLink.open((String) reply.get(1));
        shm.unlink(); // both sides hold their mappings; nothing stays behind in /dev/shm
        conn.useShm(shm);
    }

    /** Adopts the server's allow-list, frame limit and codec, so that both sides decode the same classes. */
    private synchronized void adopt(byte[] settingsBytes) {
        if (codec != null) {
            return;
        }
        try {
            List<?> settings = (List<?>) CodecProvider.standard().create(AllowList.defaults()).decode(settingsBytes);
            AllowList allowList = AllowList.defaults().allowClasses(strings(settings.get(0)))
                    .allowPackages(strings(settings.get(1)));
            maxFrame = (Integer) settings.get(2);
            codec = CodecProvider.named((String) settings.get(3)).create(allowList);
        } catch (IOException | ClassNotFoundException | ClassCastException | IndexOutOfBoundsException e) {
            throw new ManagerException("the manager at " + address + " sent settings this client cannot read: " + e, e);
        }
    }

    private static List<String> strings(Object list) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) list) {
            out.add((String) o);
        }
        return out;
    }

    private Codec codec() {
        Codec c = codec;
        if (c == null) {
            release(borrow());
            c = codec;
        }
        return c;
    }

    private void release(Link link) {
        if (closed) {
            discard(link);
            return;
        }
        idle.addFirst(link);
        if (closed) { // close() may have drained the pool just before this link went back
            Link l;
            while ((l = idle.pollFirst()) != null) {
                discard(l);
            }
        }
    }

    private void discard(Link link) {
        all.remove(link);
        link.conn.close();
    }

    // ---- references ----

    /**
     * Registers a new proxy for {@code objectId}. {@code fresh}: the server just made the object and already
     * counts this client's reference; otherwise one is asked for with the next call.
     */
    void track(Object proxy, long objectId, boolean fresh) {
        synchronized (live) {
            int n = live.merge(objectId, 1, Integer::sum);
            if (n == 1 && !fresh) {
                if (!pendingDecrefs.remove(objectId)) {
                    pendingIncrefs.add(objectId);
                }
            } else if (n > 1 && fresh) {
                pendingDecrefs.add(objectId); // the server counted one more than this client needs
            }
        }
        CLEANER.register(proxy, () -> untrack(objectId));
    }

    private void untrack(long objectId) {
        synchronized (live) {
            Integer n = live.merge(objectId, -1, Integer::sum);
            if (n != null && n == 0) {
                live.remove(objectId);
                if (!exported.contains(objectId) && !pendingIncrefs.remove(objectId)) {
                    pendingDecrefs.add(objectId);
                }
            }
        }
    }

    /** A proxy for {@code objectId} is being sent to another process: the object must outlive the trip. */
    void exported(long objectId) {
        synchronized (live) {
            exported.add(objectId);
        }
    }

    private void flushRefs() throws Throwable {
        long[] inc;
        long[] dec;
        synchronized (live) {
            if (pendingIncrefs.isEmpty() && pendingDecrefs.isEmpty()) {
                return;
            }
            inc = toArray(pendingIncrefs); // loops, not streams: this runs in every cold process's first call
            dec = toArray(pendingDecrefs);
            pendingIncrefs.clear();
            pendingDecrefs.clear();
        }
        try {
            invoke(ObjectTable.ROOT, "refs", false, new Object[] {inc, dec}, false);
        } catch (Throwable t) {
            synchronized (live) { // not sent: try again with the next call
                for (long id : inc) {
                    pendingIncrefs.add(id);
                }
                for (long id : dec) {
                    pendingDecrefs.add(id);
                }
            }
            throw t;
        }
    }

    private static long[] toArray(List<Long> ids) {
        long[] out = new long[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(i);
        }
        return out;
    }

    /** Closes every connection: the server ends this session, dropping its references and what it held. */
    @Override
    public void close() {
        closed = true;
        SHARED.remove(address, this);
        Link link;
        while ((link = idle.pollFirst()) != null) {
            discard(link);
        }
    }

    /** Closes the connections even while calls are on them (they fail); for a server shutdown. */
    void closeNow() {
        close();
        for (Link l : all) {
            l.conn.close();
        }
        all.clear();
    }

    @Override
    public String toString() {
        return "ManagerClient[" + address + ", " + all.size() + " connections" + (closed ? ", closed" : "") + "]";
    }
}
