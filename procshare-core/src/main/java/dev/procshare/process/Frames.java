package dev.procshare.process;

import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** Length-prefixed frames on a blocking socket channel, with a size limit. */
final class Frames {
    /** The largest frame: a task, a chunk of items or a result. */
    static final int MAX_FRAME = 512 * 1024 * 1024;

    private Frames() {
    }

    static void write(SocketChannel channel, byte[] payload) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4).putInt(0, payload.length);
        ByteBuffer body = ByteBuffer.wrap(payload);
        ByteBuffer[] both = {header, body};
        while (body.hasRemaining()) {
            channel.write(both);
        }
    }

    /** Reads one frame; {@link EOFException} when the peer has closed (or died). */
    static byte[] read(SocketChannel channel) throws IOException {
        return read(channel, MAX_FRAME);
    }

    /** Reads one frame of at most {@code limit} bytes. */
    static byte[] read(SocketChannel channel, int limit) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        fill(channel, header);
        int length = header.getInt(0);
        if (length < 0 || length > limit) {
            throw new StreamCorruptedException("frame of " + length + " bytes (limit " + limit + ")");
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        fill(channel, body);
        return body.array();
    }

    private static void fill(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("peer closed the channel");
            }
        }
    }
}
