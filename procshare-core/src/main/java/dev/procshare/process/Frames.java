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

    /** Reads one frame of at most {@code limit} bytes; {@link EOFException} when the peer has closed (or died). */
    static byte[] read(SocketChannel channel, int limit) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        fill(channel, header);
        ByteBuffer body = ByteBuffer.allocate(checkLength(header.getInt(0), limit));
        fill(channel, body);
        return body.array();
    }

    /** A frame's declared length, refused before anything is allocated if it is negative or over the limit. */
    static int checkLength(int length, int limit) throws StreamCorruptedException {
        if (length < 0 || length > limit) {
            throw new StreamCorruptedException("frame of " + length + " bytes (limit " + limit + ")");
        }
        return length;
    }

    private static void fill(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("peer closed the channel");
            }
        }
    }
}
