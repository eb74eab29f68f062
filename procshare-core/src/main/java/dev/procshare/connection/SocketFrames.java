package dev.procshare.connection;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * Frames on one socket: a 4-byte big-endian length, then that many bytes. Non-blocking underneath so that
 * every wait has a deadline: a reader tries the socket, then sleeps in a selector until it can read. One
 * reader and one writer at a time (each side locks).
 */
final class SocketFrames implements AutoCloseable {
    /**
     * How long a reader spins before it sleeps: {@code procshare.connection.spin.micros}, default 0. Measured on
     * a loaded 2-core host, a pipe round trip took 23-40 µs without spinning and ~62 µs with 20 µs of it: the
     * spinning reader kept its peer from the CPU.
     */
    private static final long SPIN_NANOS = Long.getLong("procshare.connection.spin.micros", 0) * 1_000;
    /** A frame's body is reserved in steps of at most this, as its bytes arrive: a lying length reserves nothing. */
    private static final int STEP = 64 * 1024;

    private final SocketChannel channel;
    private final String peer;
    private final Selector readSelector;
    private final SocketWriter writer;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    private final ByteBuffer header = ByteBuffer.allocate(4);
    /** The frame being read: null while its header is; {@code ready} once complete. */
    private byte[] body;
    private int bodyLength;
    private int bodyPos;
    private byte[] ready;

    SocketFrames(SocketChannel channel, String peer) throws IOException {
        this.channel = channel;
        this.peer = peer;
        this.readSelector = Sockets.prepare(channel);
        this.writer = new SocketWriter(channel, true);
    }

    /** Connects to {@code address}; nothing listening there fails with the reason. */
    static SocketFrames connect(Address address) throws IOException {
        SocketChannel channel = Sockets.connect(address);
        try {
            return new SocketFrames(channel, address.toString());
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    String peer() {
        return peer;
    }

    void send(byte[] bytes) throws IOException {
        send(bytes, 0, bytes.length);
    }

    void send(byte[] bytes, int offset, int length) throws IOException {
        synchronized (writeLock) {
            try {
                writer.writeFrame(bytes, offset, length);
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                if (!channel.isOpen()) {
                    throw e;
                }
                throw new PeerClosedException(peer + " is gone (" + e.getMessage() + ")", e);
            }
        }
    }

    /**
     * The next frame, waiting until {@code deadline} ({@link System#nanoTime()}; {@code Long.MAX_VALUE}: no
     * limit). A frame longer than {@code limit} is refused unread. A timeout keeps a partly read frame for
     * the next call.
     */
    byte[] receive(int limit, long deadline) throws IOException {
        synchronized (readLock) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (true) {
                byte[] frame = advance(limit);
                if (frame != null) {
                    ready = null;
                    return frame;
                }
                long now = System.nanoTime();
                if (now - spinUntil < 0) {
                    Thread.onSpinWait();
                    continue;
                }
                if (now - deadline >= 0) {
                    throw new SocketTimeoutException("no frame from " + peer + " within the timeout");
                }
                sleepUntilReadable(deadline - now);
            }
        }
    }

    /**
     * Whether a whole frame can be received without waiting, waiting for one until {@code deadline}. A peer
     * that closed counts as ready, as in Python: the next receive then says so.
     */
    boolean poll(int limit, long deadline) throws IOException {
        synchronized (readLock) {
            while (true) {
                try {
                    if (advance(limit) != null) {
                        return true;
                    }
                } catch (PeerClosedException e) {
                    return true;
                }
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    return false;
                }
                sleepUntilReadable(deadline - now);
            }
        }
    }

    private void sleepUntilReadable(long nanos) throws IOException {
        long millis = Math.max(1, Math.min(nanos / 1_000_000, 1_000));
        readSelector.select(millis);
        readSelector.selectedKeys().clear();
        if (Thread.interrupted()) {
            throw new InterruptedIOException("interrupted while waiting for " + peer);
        }
    }

    /** Reads what the socket has without waiting; returns the frame once whole ({@code ready}), else null. */
    private byte[] advance(int limit) throws IOException {
        if (ready != null) {
            if (ready.length > limit) {
                throw tooLong(ready.length, limit);
            }
            return ready;
        }
        if (body == null) {
            if (read(header) && header.position() == 4) {
                int length = header.getInt(0);
                header.clear();
                if (length < 0 || length > limit) {
                    throw tooLong(Integer.toUnsignedLong(length), limit);
                }
                bodyLength = length;
                body = new byte[Math.min(length, STEP)];
                bodyPos = 0;
            } else {
                return null;
            }
        }
        while (bodyPos < bodyLength) {
            if (bodyPos == body.length) {
                body = Arrays.copyOf(body, (int) Math.min(bodyLength, 2L * body.length));
            }
            int n = readInto(ByteBuffer.wrap(body, bodyPos, body.length - bodyPos));
            if (n == 0) {
                return null;
            }
            bodyPos += n;
        }
        ready = body;
        body = null;
        return ready;
    }

    private BadFrameException tooLong(long length, int limit) {
        close(); // the bytes that follow cannot be trusted to start a frame
        return new BadFrameException("a frame of " + length + " bytes from " + peer + " exceeds the limit of "
                + limit + " bytes; the connection is closed");
    }

    /** Fills {@code buffer} as far as the socket allows; false if nothing came. */
    private boolean read(ByteBuffer buffer) throws IOException {
        return readInto(buffer) > 0 || !buffer.hasRemaining();
    }

    private int readInto(ByteBuffer buffer) throws IOException {
        int n;
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            if (!channel.isOpen()) {
                throw new java.nio.channels.ClosedChannelException();
            }
            throw new PeerClosedException(peer + " is gone (" + e.getMessage() + ")", e);
        }
        if (n < 0) {
            boolean midFrame = body != null || header.position() > 0;
            throw new PeerClosedException(peer + " closed the connection" + (midFrame ? " in the middle of a frame" : "")
                    + " (it called close(), or its process exited or died)");
        }
        return n;
    }

    /**
     * Copies what this side has read but not yet handed out (a ready or partly read frame) and then every
     * byte that arrives to {@code to}, until either side closes; then closes both. For a relay.
     */
    void pumpTo(SocketFrames to) {
        try {
            synchronized (readLock) {
                if (ready != null) {
                    to.send(ready, 0, ready.length);
                    ready = null;
                } else if (body != null) {
                    to.writeRaw(ByteBuffer.allocate(4).putInt(0, bodyLength));
                    to.writeRaw(ByteBuffer.wrap(body, 0, bodyPos));
                    body = null;
                } else if (header.position() > 0) {
                    header.flip();
                    to.writeRaw(header);
                    header.clear();
                }
                ByteBuffer buffer = ByteBuffer.allocateDirect(STEP);
                while (true) {
                    buffer.clear();
                    int n = readInto(buffer);
                    if (n == 0) {
                        readSelector.select();
                        readSelector.selectedKeys().clear();
                        continue;
                    }
                    buffer.flip();
                    to.writeRaw(buffer);
                }
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // one side closed or died: the relay ends, and the other side sees the end of the stream
        } finally {
            close();
            to.close();
        }
    }

    private void writeRaw(ByteBuffer buffer) throws IOException {
        synchronized (writeLock) {
            writer.write(buffer);
        }
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    /** Idempotent; safe from any thread (a blocked reader or writer wakes up with an exception). */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
        try {
            readSelector.close();
        } catch (IOException ignored) {
            // as above
        }
        try {
            writer.close();
        } catch (IOException ignored) {
            // as above
        }
    }

    @Override
    public String toString() {
        return "frames[" + peer + (channel.isOpen() ? "" : ", closed") + "]";
    }
}
