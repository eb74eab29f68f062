package dev.procshare.manager;

import dev.procshare.memory.SharedMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The frames of one client connection on the same host, carried through a shared-memory segment instead of
 * the socket: a request or reply is copied into the segment and published with a sequence number; the
 * other side sees it without a system call. The socket stays open as the doorbell (one byte, written only
 * when the reader has gone to sleep) and as the sign of life: a peer that dies closes it.
 *
 * <p>Layout: two blocks, client→server then server→client, each {@code [seq long][length int][more int]
 * [readerSleeping int][pad][consumed long][pad to 64][data CAPACITY]}. A frame larger than the block goes
 * in pieces, each acknowledged through {@code consumed}. Only one frame is in flight per direction (calls on
 * one connection are strictly request and reply).
 */
final class ShmLink implements AutoCloseable {
    static final int CAPACITY = 64 * 1024;
    private static final int SEQ = 0, LEN = 8, MORE = 12, SLEEPING = 16, CONSUMED = 24, DATA = 64;
    private static final int BLOCK = DATA + CAPACITY;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final SharedMemory memory;
    private final ByteBuffer buf;
    private final int out;
    private final int in;
    private long sent;
    private long received;

    private ShmLink(SharedMemory memory, boolean client) {
        this.memory = memory;
        this.buf = memory.buffer();
        this.out = client ? 0 : BLOCK;
        this.in = client ? BLOCK : 0;
    }

    /**
     * The server's side: a new segment, made by the server (so that a client cannot point it at memory it
     * should not write), named by {@link #name()} for the client.
     */
    static ShmLink create() {
        return new ShmLink(SharedMemory.create(2L * BLOCK), false);
    }

    /** The client's side of the segment its server made; refused unless it has the expected size. */
    static ShmLink open(String name) {
        SharedMemory memory = SharedMemory.open(name);
        if (memory.size() != 2L * BLOCK) {
            memory.close();
            throw new IllegalStateException("segment " + name + " is not a manager channel");
        }
        return new ShmLink(memory, true);
    }

    String name() {
        return memory.name();
    }

    /** Removes the segment's name: both sides hold their mappings, and nothing is left if either dies. */
    void unlink() {
        memory.unlink();
    }

    /** Whether a new piece has come in. */
    boolean hasIncoming() {
        return (long) LONGS.getVolatile(buf, in + SEQ) != received;
    }

    /** Publishes one piece; returns whether the reader sleeps (and so needs the doorbell). */
    boolean publish(byte[] frame, int offset, int length, boolean more) {
        buf.put(out + DATA, frame, offset, length);
        INTS.set(buf, out + LEN, length);
        INTS.set(buf, out + MORE, more ? 1 : 0);
        sent++;
        LONGS.setVolatile(buf, out + SEQ, sent);
        // Dekker with the reader's "sleeping, then check seq": one of the two sees the other's write.
        return (int) INTS.getVolatile(buf, out + SLEEPING) != 0;
    }

    /** Whether the reader has copied the last piece out (so the block may be written again). */
    boolean consumed() {
        return (long) LONGS.getVolatile(buf, out + CONSUMED) == sent;
    }

    /** Length of the piece that came in; call after {@link #hasIncoming()}. */
    int incomingLength() {
        return (int) INTS.get(buf, in + LEN);
    }

    /** Whether more pieces of the same frame follow the one that came in. */
    boolean incomingMore() {
        return (int) INTS.get(buf, in + MORE) != 0;
    }

    /** Copies the piece that came in to {@code dst} at {@code offset} and acknowledges it. */
    void take(byte[] dst, int offset, int length) {
        buf.get(in + DATA, dst, offset, length);
        received++;
        LONGS.setVolatile(buf, in + CONSUMED, received);
    }

    /** Announces that this side is about to sleep on the socket (or awake again). */
    void sleeping(boolean asleep) {
        INTS.setVolatile(buf, in + SLEEPING, asleep ? 1 : 0);
    }

    @Override
    public void close() {
        memory.close();
    }
}
