package dev.procshare.connection;

import dev.procshare.codec.AllowList;
import dev.procshare.process.InheritedContext;
import dev.procshare.process.PrivateDirectory;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Python's {@code multiprocessing.connection.Listener}: accepts {@link Connection}s from {@link Client}s in
 * other processes, on a Unix domain socket ({@link #bind()}: a fresh path in a private 0700 directory) or on
 * TCP ({@code tcp://host:port}, which requires an auth key). Every connection proves the auth key both ways
 * (see {@link Client}) before {@link #accept()} returns it; a client with another key, or a peer that is not
 * a procshare client, makes {@code accept} throw {@link AuthenticationFailedException} after closing that
 * socket, and the listener goes on accepting. Thread-safe; {@link #close()} is idempotent, and removes a
 * Unix socket file (and the private directory) this listener made.
 */
public final class Listener implements AutoCloseable {
    static final String DIR_PREFIX = "procshare-listener-";
    /** How long a connecting peer has to finish the handshake: {@code procshare.connection.handshake.millis}. */
    static final long HANDSHAKE_NANOS = Long.getLong("procshare.connection.handshake.millis", 10_000) * 1_000_000;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Address address;
    private final byte[] key;
    private final Path privateDirectory;
    private final AllowList allowList;
    private volatile boolean closed;

    private Listener(ServerSocketChannel server, Address address, byte[] key, Path privateDirectory,
            AllowList allowList) throws IOException {
        this.server = server;
        this.address = address;
        this.key = key;
        this.privateDirectory = privateDirectory;
        this.allowList = allowList;
        server.configureBlocking(false);
        selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    /**
     * A listener on a fresh Unix socket in a private directory, for this process family's auth key
     * ({@link InheritedContext#authKey()}, which every JVM that procshare starts from here inherits).
     */
    public static Listener bind() throws IOException {
        return bind(null, null, AllowList.defaults());
    }

    /**
     * A listener on {@code address} ({@code unix:/path}, {@code /path} or {@code tcp://host:port}; port 0
     * picks a free one, see {@link #address()}). {@code authKey} null: the process family's key, for Unix
     * sockets only.
     */
    public static Listener bind(String address, byte[] authKey) throws IOException {
        return bind(address, authKey, AllowList.defaults());
    }

    /** As {@link #bind(String, byte[])}; what its connections' {@code recv()} decodes is limited by {@code allowList}. */
    public static Listener bind(String address, byte[] authKey, AllowList allowList) throws IOException {
        return bind(address, authKey, allowList, DIR_PREFIX);
    }

    static Listener bind(String address, byte[] authKey, AllowList allowList, String dirPrefix) throws IOException {
        Path dir = null;
        Address where;
        if (address == null) {
            dir = PrivateDirectory.create(dirPrefix);
            where = Address.unix(dir.resolve("listener.sock"));
        } else {
            where = Address.parse(address);
        }
        byte[] key = keyFor(where, authKey);
        ServerSocketChannel server = where.isUnix() ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                : ServerSocketChannel.open();
        try {
            server.bind(where.socketAddress());
            if (!where.isUnix()) {
                java.net.InetSocketAddress bound = (java.net.InetSocketAddress) server.getLocalAddress();
                where = new Address(where.host(), bound.getPort(), null);
            }
            return new Listener(server, where, key, dir, allowList);
        } catch (IOException | RuntimeException e) {
            server.close();
            PrivateDirectory.delete(dir);
            throw new IOException("cannot listen on " + where + ": " + e.getMessage(), e);
        }
    }

    static byte[] keyFor(Address address, byte[] authKey) {
        if (authKey == null) {
            if (!address.isUnix()) {
                throw new IllegalArgumentException("a TCP address (" + address + ") needs an auth key: anyone who can"
                        + " reach the port could otherwise connect");
            }
            return InheritedContext.authKey();
        }
        if (authKey.length == 0) {
            throw new IllegalArgumentException("an auth key must not be empty");
        }
        return authKey.clone();
    }

    /** The next authenticated connection, waiting as long as it takes (until {@link #close()}). */
    public Connection accept() throws IOException {
        return accept(null);
    }

    /**
     * The next authenticated connection, waiting at most {@code timeout} (null: no limit).
     *
     * @throws SocketTimeoutException if none came in time
     * @throws AuthenticationFailedException if the peer that connected failed the handshake (the listener
     *         keeps working)
     */
    public Connection accept(Duration timeout) throws IOException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        SocketFrames frames = acceptFrames(deadline);
        return Connection.over(frames, allowList);
    }

    /** An authenticated socket; the handshake has {@link #HANDSHAKE_NANOS} whatever {@code deadline} is. */
    SocketFrames acceptFrames(long deadline) throws IOException {
        SocketChannel channel;
        synchronized (selector) {
            while ((channel = acceptOne()) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("no connection to " + address + " within the timeout");
                }
                try {
                    selector.select(Math.max(1, Math.min(left / 1_000_000, 1_000)));
                    selector.selectedKeys().clear();
                } catch (java.nio.channels.ClosedSelectorException e) {
                    throw new IOException("listener on " + address + " is closed", e);
                }
                if (Thread.interrupted()) {
                    throw new java.io.InterruptedIOException("interrupted while accepting on " + address);
                }
            }
        }
        SocketFrames frames;
        try {
            frames = new SocketFrames(channel, "a client of " + address);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        try {
            Challenge.deliver(frames, key, System.nanoTime() + HANDSHAKE_NANOS);
            return frames;
        } catch (SocketTimeoutException e) {
            frames.close();
            throw new AuthenticationFailedException("a peer connected to " + address
                    + " but did not finish the handshake in time; closed it");
        } catch (IOException | RuntimeException e) {
            frames.close();
            throw e instanceof AuthenticationFailedException a ? a
                    : new AuthenticationFailedException("handshake with a peer of " + address + " failed: " + e);
        }
    }

    private SocketChannel acceptOne() throws IOException {
        if (closed) {
            throw new IOException("listener on " + address + " is closed");
        }
        try {
            return server.accept();
        } catch (java.nio.channels.ClosedChannelException | java.nio.channels.ClosedSelectorException e) {
            throw new IOException("listener on " + address + " is closed", e);
        }
    }

    /** Where clients connect: {@code unix:/path} or {@code tcp://host:port}, for {@link Client#connect}. */
    public String address() {
        return address.toString();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Stops accepting; connections accepted earlier stay open. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
            selector.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
        if (address.isUnix()) {
            try {
                Files.deleteIfExists(Path.of(address.path()));
            } catch (IOException ignored) {
                // a stale socket file is removed by the next bind of that path's owner
            }
        }
        PrivateDirectory.delete(privateDirectory);
    }

    @Override
    public String toString() {
        return "Listener[" + address + (closed ? ", closed" : "") + "]";
    }
}
