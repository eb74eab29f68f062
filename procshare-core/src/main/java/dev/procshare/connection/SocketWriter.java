package dev.procshare.connection;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * Writes frames (a 4-byte big-endian length, then the bytes) and raw bytes to a non-blocking socket, waiting
 * while the peer's buffer is full: a peer that stops reading holds the writer, as a full pipe does in
 * Python, and its death or {@link #close()} ends the wait. One writer at a time. Not for direct use.
 */
public final class SocketWriter implements AutoCloseable {
    private final SocketChannel channel;
    private final boolean interruptible;
    private Selector selector;

    /** {@code interruptible}: an interrupt ends a wait with {@link InterruptedIOException} (else the wait goes on). */
    public SocketWriter(SocketChannel channel, boolean interruptible) {
        this.channel = channel;
        this.interruptible = interruptible;
    }

    /** Writes {@code bytes[offset, offset + length)} as one frame. */
    public void writeFrame(byte[] bytes, int offset, int length) throws IOException {
        write(ByteBuffer.allocate(4).putInt(0, length), ByteBuffer.wrap(bytes, offset, length));
    }

    /** Writes every remaining byte of {@code buffers}, in order. */
    public void write(ByteBuffer... buffers) throws IOException {
        ByteBuffer last = buffers[buffers.length - 1];
        while (last.hasRemaining() || buffers[0].hasRemaining()) {
            if (channel.write(buffers) == 0) {
                awaitWritable();
            }
        }
    }

    private void awaitWritable() throws IOException {
        if (selector == null) {
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_WRITE);
        }
        selector.select(1_000);
        selector.selectedKeys().clear();
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedIOException("interrupted while writing to " + channel.getRemoteAddress());
        }
    }

    /** Releases the selector (the channel is its owner's to close). Idempotent. */
    @Override
    public void close() throws IOException {
        Selector s = selector;
        if (s != null) {
            s.close();
        }
    }
}
