package dev.procshare.connection;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * How procshare opens and sets up the sockets that carry its frames (connections here, the manager's).
 * Not for direct use.
 */
public final class Sockets {
    private Sockets() {
    }

    /** A channel connected to {@code address}; nothing listening there fails with the reason. */
    public static SocketChannel connect(Address address) throws IOException {
        SocketChannel channel = address.isUnix() ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        try {
            channel.connect(address.socketAddress());
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Loads and initialises what a first Unix-socket connection needs, for a thread that would otherwise wait
     * (for a server's JVM to listen, say): the JDK seeds a {@code SecureRandom} for its Unix-socket support,
     * about 25 ms in a fresh JVM here, and a first selector costs about as much again. Errors are ignored:
     * the connection itself reports them.
     */
    public static void warmUp() {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            selector.selectNow();
        } catch (IOException | RuntimeException | LinkageError ignored) {
            // only an optimisation
        }
    }

    /**
     * Makes {@code channel} non-blocking (every wait then has a deadline), on TCP without Nagle's delay and
     * with keep-alive (a dead host is noticed), and returns a selector that wakes when it can be read.
     */
    public static Selector prepare(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        if (!(channel.getLocalAddress() instanceof UnixDomainSocketAddress)) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        }
        Selector readSelector = Selector.open();
        try {
            channel.register(readSelector, SelectionKey.OP_READ);
            return readSelector;
        } catch (IOException | RuntimeException e) {
            readSelector.close();
            throw e;
        }
    }
}
