package dev.procshare.process;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * Length-prefixed frames on a socket, read by spinning briefly before sleeping in a selector. A reply that
 * comes within {@link #SPIN_NANOS} is picked up without a thread wake-up, which is most of a round trip's
 * cost between two processes; an idle reader costs no CPU once the spin is over. One reader and one writer
 * thread at a time.
 */
final class FrameChannel implements AutoCloseable {
    /**
     * How long a reader spins on the asynchronous path (a pool thread feeding a worker, a worker waiting for
     * work nobody waits on): system property {@code procshare.spin.micros}, default 0. There, on a 2-core
     * machine, a spinner takes the core the other side needs. Calls a caller waits on spin instead (see
     * {@code ProcessPool}).
     */
    static final long SPIN_NANOS = Long.getLong("procshare.spin.micros", 0) * 1_000;

    /** How much of a spin goes without yielding: most answers come within it. */
    private static final long EAGER_NANOS = 20_000;

    private final SocketChannel channel;
    private final Selector readSelector;
    private final Selector writeSelector;
    private final ByteBuffer header = ByteBuffer.allocate(4);

    FrameChannel(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        readSelector = Selector.open();
        channel.register(readSelector, SelectionKey.OP_READ);
        writeSelector = Selector.open();
        channel.register(writeSelector, SelectionKey.OP_WRITE);
    }

    void write(byte[] payload) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(4).putInt(0, payload.length);
        ByteBuffer body = ByteBuffer.wrap(payload);
        ByteBuffer[] both = {head, body};
        while (head.hasRemaining() || body.hasRemaining()) {
            if (channel.write(both) == 0) {
                writeSelector.select(1_000);
                writeSelector.selectedKeys().clear();
            }
        }
    }

    /**
     * Reads one frame of at most {@code limit} bytes, spinning up to {@code spin} ns for data before sleeping in
     * the selector; {@link EOFException} when the peer is gone.
     */
    byte[] read(int limit, long spin) throws IOException {
        header.clear();
        fill(header, spin);
        ByteBuffer body = ByteBuffer.allocate(Frames.checkLength(header.getInt(0), limit));
        fill(body, spin);
        return body.array();
    }

    private void fill(ByteBuffer buffer, long spin) throws IOException {
        long spinUntil = 0;
        // A pending interrupt makes select() return at once, which would turn the wait into a busy loop: it
        // is set aside while reading (a frame cannot be abandoned half read) and restored afterwards.
        boolean interrupted = false;
        try {
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer);
                if (n < 0) {
                    throw new EOFException("peer closed the channel");
                }
                if (n > 0) {
                    spinUntil = 0;
                    continue;
                }
                long now = System.nanoTime();
                if (spinUntil == 0) {
                    spinUntil = now + spin;
                }
                if (now < spinUntil) {
                    if (spinUntil - now < spin - EAGER_NANOS) {
                        Thread.yield(); // past the eager part: let a thread that shares this core run
                    } else {
                        Thread.onSpinWait();
                    }
                } else {
                    interrupted |= Thread.interrupted();
                    readSelector.select();
                    readSelector.selectedKeys().clear();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        try {
            readSelector.close();
            writeSelector.close();
            channel.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
