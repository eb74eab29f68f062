package dev.procshare.manager;

import dev.procshare.connection.Address;
import dev.procshare.codec.AllowList;
import dev.procshare.codec.Codec;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The object server behind a {@link Manager}: Python's {@code BaseManager.get_server()}. It hosts objects by
 * id and serves many clients at once; a call that blocks (a lock, a queue, a slow method of a registered
 * class) holds up only its own caller. A connection without shared memory (TCP, or
 * {@code -Dprocshare.manager.shm=false}) has a server thread of its own. Connections from the same host switch
 * to a shared-memory channel and are served by one polling thread that runs their calls itself and hands the
 * polling to another thread when a call is about to wait, moves a frame in pieces, or is still running after
 * a 5 ms watchdog tick: two busy clients on two cores then do not need four threads.
 *
 * <p>Security: a Unix socket is made readable and writable by its owner only; on any transport a peer must
 * prove it holds the auth key before a byte of it is decoded, and then only allowed classes are
 * deserialized. At most {@code maxHandshakes} connections may be unauthenticated at once (more are closed
 * at once) and each has a few seconds to finish; frames are bounded.
 *
 * <p>When a client disconnects or its process dies, the references it held are dropped (an object no proxy
 * refers to is released) and the locks and permits it held are released.
 */
public final class ManagerServer implements AutoCloseable {
    /** Made on first use: setting up the JDK's logging costs a new JVM ~10 ms, and it logs only on trouble. */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(ManagerServer.class.getName());
    }

    private final ServerConfig config;
    private final AllowList allowList;
    private final Codec codec;
    private final ServerSocketChannel listener;
    private final Address address;
    private final ObjectTable objects = new ObjectTable();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
    private final Semaphore handshakes;
    private final AtomicLong nextConnectionId = new AtomicLong(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Thread acceptor;
    private final byte[] settings;
    private volatile boolean closed;
    /** Serves the connections that use shared memory; made when the first one does. Guarded by {@code this}. */
    private ShmDispatcher dispatcher;

    private ManagerServer(ServerConfig config) throws IOException {
        this.config = config;
        this.allowList = config.effectiveAllowList();
        this.codec = CodecProvider.named(config.codecProvider()).create(allowList);
        this.handshakes = new Semaphore(config.maxHandshakes());
        this.listener = bind(config.address());
        this.address = config.address().isUnix() ? config.address()
                : boundTcpAddress(config.address(), listener);
        objects.putRoot(new ServedRoot(this));
        settings = encodeSettings(allowList, config);
        acceptor = new Thread("procshare-manager-accept " + address) { // a class, not a lambda: see ServeTarget
            @Override
            public void run() {
                acceptLoop();
            }
        };
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * What every client learns after authentication: plain strings and numbers in the standard codec,
     * whatever codec the server uses (and no Java serialization on either side's start path).
     */
    private static byte[] encodeSettings(AllowList allowList, ServerConfig config) throws IOException {
        java.util.ArrayList<Object> s = new java.util.ArrayList<>();
        s.add(new java.util.ArrayList<Object>(allowList.allowedClasses()));
        s.add(new java.util.ArrayList<Object>(allowList.allowedPackages()));
        s.add(config.maxFrameBytes());
        s.add(config.codecProvider());
        return CodecProvider.standard().create(AllowList.defaults()).encode(s);
    }

    byte[] settings() {
        return settings;
    }

    /** Binds and starts serving; returns once the address accepts connections. */
    static ManagerServer start(ServerConfig config) throws IOException {
        return new ManagerServer(config);
    }

    private static ServerSocketChannel bind(Address address) throws IOException {
        if (!address.isUnix()) {
            ServerSocketChannel tcp = ServerSocketChannel.open();
            tcp.bind(address.socketAddress(), 128);
            return tcp;
        }
        Path socket = Path.of(address.path());
        if (Files.exists(socket)) {
            removeIfStale(address, socket);
        }
        ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        unix.bind(address.socketAddress(), 128);
        try {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the directory's permissions are all there is
        }
        return unix;
    }

    /** A socket file left by a server that died is removed; a live server's is an error. */
    private static void removeIfStale(Address address, Path socket) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(address.socketAddress());
            throw new IOException("a manager is already listening at " + address);
        } catch (java.net.SocketException e) {
            Files.deleteIfExists(socket);
        }
    }

    private static Address boundTcpAddress(Address asked, ServerSocketChannel listener) throws IOException {
        java.net.InetSocketAddress bound = (java.net.InetSocketAddress) listener.getLocalAddress();
        return new Address(asked.host(), bound.getPort(), null);
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                Log.LOG.log(System.Logger.Level.DEBUG, () -> "accept failed: " + e);
                continue;
            }
            if (connections.size() >= config.maxConnections() || !handshakes.tryAcquire()) {
                closeQuietly(channel); // a flood of connections costs the server nothing but this
                continue;
            }
            ServerConnection handler = null;
            try {
                long id = nextConnectionId.getAndIncrement();
                handler = new ServerConnection(this, new Connection(channel, "client " + id, true), id);
                connections.add(handler);
                Thread thread = new Thread(handler, "procshare-manager-conn-" + id);
                thread.setDaemon(true);
                thread.start();
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                handshakes.release();
                if (handler != null) {
                    connections.remove(handler);
                    handler.close();
                }
                closeQuietly(channel);
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    void handshakeDone() {
        handshakes.release();
    }

    Session attach(byte[] sessionId) {
        String key = java.util.HexFormat.of().formatHex(sessionId);
        while (true) {
            Session session = sessions.computeIfAbsent(key, k -> new Session(sessionId));
            if (session.attach()) {
                return session;
            }
            sessions.remove(key, session); // it ended just now; a new one takes its place
        }
    }

    void detach(ServerConnection connection, Session session) {
        connections.remove(connection);
        if (session != null && session.detach()) {
            sessions.remove(java.util.HexFormat.of().formatHex(session.id()), session);
            endSession(session);
        }
    }

    private void endSession(Session session) {
        for (Served s : session.touched) {
            try {
                s.sessionEnded(session);
            } catch (RuntimeException e) {
                Log.LOG.log(System.Logger.Level.DEBUG, () -> "release after " + session + " failed", e);
            }
        }
        objects.sessionEnded(session);
    }

    ServerConnection connection(long id) {
        for (ServerConnection c : connections) {
            if (c.id() == id) {
                return c;
            }
        }
        return null;
    }

    synchronized ShmDispatcher shmDispatcher() throws IOException {
        if (closed) {
            throw new java.io.EOFException("the server is closing");
        }
        if (dispatcher == null) {
            dispatcher = new ShmDispatcher(this);
        }
        return dispatcher;
    }

    ServerConfig config() {
        return config;
    }

    Codec codec() {
        return codec;
    }

    AllowList allowList() {
        return allowList;
    }

    ObjectTable objects() {
        return objects;
    }

    boolean isClosed() {
        return closed;
    }

    /** Where clients connect: {@code unix:/path} or {@code tcp://host:port} (with the port really bound). */
    public String address() {
        return address.toString();
    }

    Address boundAddress() {
        return address;
    }

    /** Objects hosted now. */
    public int objectCount() {
        return objects.size();
    }

    /** Client connections open now. */
    public int connectionCount() {
        return connections.size();
    }

    /** Blocks until the server is shut down (by {@link #close()} or a client's shutdown request). */
    public void awaitShutdown() throws InterruptedException {
        terminated.await();
    }

    /** Waits at most {@code timeout} for the server to shut down; true if it has. */
    public boolean awaitShutdown(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops serving: no new connections, every client connection closed (their calls fail with
     * {@link ManagerUnavailableException}), every object released, the socket file removed. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        ShmDispatcher shm;
        synchronized (this) {
            shm = dispatcher;
        }
        if (shm != null) {
            shm.close();
        }
        for (ServerConnection c : connections) {
            c.close();
        }
        if (address.isUnix()) {
            try {
                Files.deleteIfExists(Path.of(address.path()));
            } catch (IOException ignored) {
                // the next server on this path removes it
            }
            ManagerLauncher.deleteSocketDirectory(address); // the private directory a default address lives in
        }
        objects.clear();
        terminated.countDown();
    }

    @Override
    public String toString() {
        return "ManagerServer[" + address + ", " + objectCount() + " objects, " + connectionCount() + " connections"
                + (closed ? ", closed" : "") + "]";
    }
}
