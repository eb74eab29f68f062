package dev.procshare.manager;

import dev.procshare.connection.Address;
import dev.procshare.connection.SocketWriter;
import dev.procshare.connection.Sockets;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * Length-prefixed frames on one socket, read by spinning briefly before sleeping in a selector.
 *
 * <p>Why spin: a reply between two processes on one host comes back in a few microseconds, but waking a
 * thread that sleeps in the kernel costs tens of microseconds on a busy VM. Reading in a loop for
 * {@link #SPIN_NANOS} picks the reply up without that wake-up; the loop yields its core every few reads so
 * that the peer can run when both share one CPU; after the spin the reader sleeps, so an idle connection
 * costs no CPU. One reader and one writer thread at a time.
 */
final class Connection implements AutoCloseable {
    /** How long a reader spins before it sleeps: {@code procshare.manager.spin.micros}, default 50 µs. */
    static final long SPIN_NANOS = Long.getLong("procshare.manager.spin.micros", 50) * 1_000;
    /**
     * How many threads of this JVM may spin at once (half the processors, at least one): beyond that, waiting
     * threads sleep at once. With hundreds of threads waiting on replies, spinning would only take the CPU
     * away from the threads that have work (measured: 200 client threads on 2 cores ran 2.5x slower).
     */
    private static final int CLIENT_SPINNERS = Integer.getInteger("procshare.manager.spinners",
            Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    /**
     * A server's connection threads (connections without shared memory) may spin on every core: each serves a
     * different client (measured: +20% with 2 clients).
     */
    private static final int SERVER_SPINNERS = Integer.getInteger("procshare.manager.server.spinners",
            Runtime.getRuntime().availableProcessors());
    private static final java.util.concurrent.atomic.AtomicInteger CLIENTS_SPINNING = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicInteger SERVERS_SPINNING = new java.util.concurrent.atomic.AtomicInteger();

    /** Frames larger than this are read as their bytes arrive, so a lying header cannot reserve memory. */
    private static final int EAGER_LIMIT = 64 * 1024;

    private final SocketChannel channel;
    private final Selector readSelector;
    private final SocketWriter writer;
    private final ByteBuffer header = ByteBuffer.allocate(4);
    private final String peer;
    /** Set once the frames go through shared memory; the socket then carries only doorbells. */
    private volatile ShmLink shm;
    private final int maxSpinners;
    /** Counted apart for the two roles: a server in the same JVM must not keep its own clients from spinning. */
    private final java.util.concurrent.atomic.AtomicInteger spinners;

    Connection(SocketChannel channel, String peer) throws IOException {
        this(channel, peer, false);
    }

    Connection(SocketChannel channel, String peer, boolean serverSide) throws IOException {
        this.channel = channel;
        this.peer = peer;
        this.maxSpinners = serverSide ? SERVER_SPINNERS : CLIENT_SPINNERS;
        this.spinners = serverSide ? SERVERS_SPINNING : CLIENTS_SPINNING;
        readSelector = Sockets.prepare(channel);
        writer = new SocketWriter(channel, false);
    }

    /** Connects to {@code address}, failing with the reason if nothing listens there. */
    static Connection open(Address address) throws IOException {
        return new Connection(Sockets.connect(address), address.toString());
    }

    String peer() {
        return peer;
    }

    /** From now on, frames go through {@code link}; the socket is the doorbell and the sign of life. */
    void useShm(ShmLink link) {
        this.shm = link;
    }

    boolean usesShm() {
        return shm != null;
    }

    /** The shared-memory link the frames go through, or null while they go through the socket. */
    ShmLink link() {
        return shm;
    }

    /** Adds the socket to another thread's selector (for its doorbells and hang-up), with {@code attachment}. */
    SelectionKey register(Selector selector, Object attachment) throws IOException {
        return channel.register(selector, SelectionKey.OP_READ, attachment);
    }

    /** Whether the peer is on this host (a Unix domain socket). */
    boolean isLocal() {
        try {
            return channel.getLocalAddress() instanceof java.net.UnixDomainSocketAddress;
        } catch (IOException e) {
            return false;
        }
    }

    void send(byte[] payload) throws IOException {
        ShmLink link = shm;
        if (link != null) {
            sendShm(link, payload);
            return;
        }
        writer.writeFrame(payload, 0, payload.length);
    }

    /**
     * Reads one frame of at most {@code limit} bytes.
     *
     * @param deadline {@link System#nanoTime()} by which the whole frame must have come, or 0 for no limit
     * @param onInterrupt called (once) if the thread is interrupted while it waits; the wait goes on, and the
     *     interrupt is restored when the frame is read
     * @throws EOFException when the peer has closed the connection or died
     * @throws SocketTimeoutException when the deadline passed
     * @throws StreamCorruptedException when the declared length is negative or over the limit
     */
    byte[] receive(int limit, long spin, long deadline, Runnable onInterrupt) throws IOException {
        ShmLink link = shm;
        if (link != null) {
            return receiveShm(link, limit, spin, deadline, onInterrupt);
        }
        header.clear();
        boolean[] interrupted = {false};
        try {
            fill(header, spin, deadline, onInterrupt, interrupted);
            int length = header.getInt(0);
            if (length < 0 || length > limit) {
                throw new StreamCorruptedException("frame of " + length + " bytes from " + peer + " (limit " + limit + ")");
            }
            if (length <= EAGER_LIMIT) {
                ByteBuffer body = ByteBuffer.allocate(length);
                fill(body, spin, deadline, onInterrupt, interrupted);
                return body.array();
            }
            byte[] bytes = new byte[EAGER_LIMIT];
            int have = 0;
            while (have < length) {
                if (have == bytes.length) {
                    bytes = Arrays.copyOf(bytes, (int) Math.min(length, 2L * bytes.length));
                }
                ByteBuffer part = ByteBuffer.wrap(bytes, have, bytes.length - have);
                fill(part, spin, deadline, onInterrupt, interrupted);
                have = bytes.length;
            }
            return bytes;
        } finally {
            if (interrupted[0]) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void fill(ByteBuffer buffer, long spin, long deadline, Runnable onInterrupt, boolean[] interrupted)
            throws IOException {
        long spinUntil = 0;
        boolean spinning = false;
        try {
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer);
                if (n < 0) {
                    throw new EOFException(peer + " closed the connection");
                }
                if (n > 0) {
                    spinUntil = 0;
                    continue;
                }
                long now = System.nanoTime();
                if (spinUntil == 0) {
                    spinUntil = now + spin;
                    if (spin > 0 && !spinning) {
                        spinning = spinners.incrementAndGet() <= maxSpinners;
                        if (!spinning) {
                            spinners.decrementAndGet();
                            spinUntil = now; // too many spinners already: sleep at once
                        }
                    }
                }
                if (now < spinUntil) {
                    Thread.yield(); // lets the peer run if it shares this CPU
                    continue;
                }
                if (spinning) {
                    spinning = false;
                    spinners.decrementAndGet();
                }
                sleepUntilReadable(deadline, onInterrupt, interrupted);
            }
        } finally {
            if (spinning) {
                spinners.decrementAndGet();
            }
        }
    }

    private void sendShm(ShmLink link, byte[] payload) throws IOException {
        if (!channel.isOpen()) {
            throw new java.nio.channels.ClosedChannelException();
        }
        int offset = 0;
        do {
            if (offset > 0 && !awaitConsumed(link)) { // the reader copies each piece out before the next goes in
                return; // the peer answered before taking it all: its answer is the reply
            }
            int n = Math.min(ShmLink.CAPACITY, payload.length - offset);
            boolean more = offset + n < payload.length;
            if (link.publish(payload, offset, n, more)) {
                ringDoorbell();
            }
            offset += n;
        } while (offset < payload.length);
    }

    private void ringDoorbell() throws IOException {
        // One byte; if the socket buffer is full, unread doorbells are already there and that is enough.
        channel.write(ByteBuffer.wrap(DOORBELL));
    }

    private static final byte[] DOORBELL = {1};

    /**
     * Waits until the reader has copied the last piece out: yields briefly, then parks with a growing pause
     * (at most 1 ms), so that a reader that never takes its piece costs this side no CPU. Returns false if
     * the peer has answered meanwhile (it refused the frame): the rest is not sent.
     */
    private boolean awaitConsumed(ShmLink link) throws IOException {
        long start = System.nanoTime();
        long pause = 0;
        int checks = 0;
        while (!link.consumed()) {
            if (link.hasIncoming()) {
                return false;
            }
            long waited = System.nanoTime() - start;
            if (waited < 50_000) {
                Thread.yield();
            } else {
                pause = Math.min(1_000_000, Math.max(10_000, pause * 2));
                java.util.concurrent.locks.LockSupport.parkNanos(pause);
            }
            if ((++checks & 63) == 0) {
                if (drainDoorbells()) {
                    throw new EOFException(peer + " closed the connection");
                }
                if (waited > 60_000_000_000L) {
                    throw new SocketTimeoutException(peer + " did not take a frame in 60 s");
                }
            }
        }
        return true;
    }

    /** Reads the doorbell bytes waiting on the socket; true if the peer has closed it. */
    boolean drainDoorbells() throws IOException {
        ByteBuffer sink = ByteBuffer.allocate(64);
        while (true) {
            sink.clear();
            int n = channel.read(sink);
            if (n < 0) {
                return true;
            }
            if (n == 0) {
                return false;
            }
        }
    }

    private byte[] receiveShm(ShmLink link, int limit, long spin, long deadline, Runnable onInterrupt)
            throws IOException {
        boolean[] interrupted = {false};
        try {
            byte[] frame = null;
            int have = 0;
            while (true) {
                awaitIncoming(link, spin, deadline, onInterrupt, interrupted);
                int n = link.incomingLength();
                boolean more = link.incomingMore();
                if (n < 0 || n > ShmLink.CAPACITY || (more && n != ShmLink.CAPACITY)) {
                    throw new StreamCorruptedException("malformed piece of " + n + " bytes from " + peer);
                }
                if ((long) have + n > limit) {
                    throw new StreamCorruptedException("frame of over " + limit + " bytes from " + peer
                            + " (limit " + limit + ")");
                }
                if (frame == null) {
                    frame = new byte[more ? Math.min(limit, 2 * ShmLink.CAPACITY) : n];
                } else if (have + n > frame.length) {
                    frame = java.util.Arrays.copyOf(frame, (int) Math.min(limit, Math.max(have + n, 2L * frame.length)));
                }
                link.take(frame, have, n);
                have += n;
                if (!more) {
                    return have == frame.length ? frame : java.util.Arrays.copyOf(frame, have);
                }
            }
        } catch (IllegalStateException e) { // a closed selector, or (Java 22+) a closed mapping
            if (!channel.isOpen()) {
                throw new java.nio.channels.AsynchronousCloseException(); // closed by another thread
            }
            throw e;
        } finally {
            if (interrupted[0]) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitIncoming(ShmLink link, long spin, long deadline, Runnable onInterrupt, boolean[] interrupted)
            throws IOException {
        if (link.hasIncoming()) {
            return;
        }
        if (spin > 0) {
            boolean spinning = spinners.incrementAndGet() <= maxSpinners;
            try {
                long until = System.nanoTime() + spin;
                while (spinning && System.nanoTime() < until) {
                    if (link.hasIncoming()) {
                        return;
                    }
                    Thread.yield(); // lets the peer run if it shares this CPU
                }
            } finally {
                spinners.decrementAndGet();
            }
        }
        while (true) {
            link.sleeping(true);
            try {
                if (link.hasIncoming()) {
                    return;
                }
                sleepUntilReadable(deadline, onInterrupt, interrupted);
                if (drainDoorbells()) {
                    if (link.hasIncoming()) {
                        return; // its last words came before it hung up
                    }
                    throw new EOFException(peer + " closed the connection");
                }
            } finally {
                link.sleeping(false);
            }
            if (link.hasIncoming()) {
                return;
            }
        }
    }

    /**
     * Sleeps in the selector until the socket has something to read, for at most a second or until
     * {@code deadline}. A pending interrupt would make select() return at once: it is taken here, reported
     * once through {@code onInterrupt}, and restored by the caller when the frame is complete (a frame is
     * never abandoned half read).
     */
    private void sleepUntilReadable(long deadline, Runnable onInterrupt, boolean[] interrupted) throws IOException {
        long waitMillis = 1_000;
        if (deadline != 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("no complete frame from " + peer + " in time");
            }
            waitMillis = Math.max(1, Math.min(waitMillis, left / 1_000_000));
        }
        if (Thread.interrupted()) {
            if (!interrupted[0] && onInterrupt != null) {
                onInterrupt.run();
            }
            interrupted[0] = true;
        }
        readSelector.select(waitMillis);
        readSelector.selectedKeys().clear();
    }

    /**
     * Whether the peer has closed its end, checked without blocking. Only for a connection whose peer sends
     * nothing at this point (a server thread waiting on the client's behalf): a byte that does come is a
     * protocol violation and counts as closed.
     */
    boolean peerClosed() {
        try {
            if (shm != null) {
                return drainDoorbells(); // over shared memory, bytes on the socket are doorbells
            }
            ByteBuffer probe = ByteBuffer.allocate(1);
            return channel.read(probe) != 0;
        } catch (IOException e) {
            return true;
        }
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        try {
            channel.close(); // first: a thread blocked on it then fails with an IOException
            readSelector.close();
            writer.close();
        } catch (IOException ignored) {
            // already closed
        }
        ShmLink link = shm;
        if (link != null) {
            link.close();
        }
    }

    @Override
    public String toString() {
        return "Connection[" + peer + (channel.isOpen() ? "" : ", closed") + "]";
    }
}
