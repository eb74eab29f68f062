package dev.procshare.connection;

import dev.procshare.codec.AllowList;
import dev.procshare.codec.ClassNotAllowedException;
import dev.procshare.codec.Codec;
import dev.procshare.codec.FastCodec;
import dev.procshare.codec.JavaCodec;
import dev.procshare.codec.Portable;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * Python's {@code multiprocessing.connection.Connection}: one end of a message channel to another process,
 * from {@link Pipe#open()}, {@link Listener#accept()} or {@link Client#connect}. Named after Python's class
 * (the package-private {@code dev.procshare.manager.Connection} is the manager's internal frame transport,
 * never seen by users).
 *
 * <p>{@link #send} writes a value with procshare's codec ({@link FastCodec}; what it does not encode natively
 * goes through Java serialization); {@link #recv} decodes it, and refuses a class its {@link AllowList}
 * does not allow ({@link ClassNotAllowedException}, nothing of it deserialized). {@link #sendBytes} and
 * {@link #recvBytes} carry raw frames. Frames arrive whole and in order. A peer that closed or died makes
 * {@code recv} throw {@link PeerClosedException} (Python's {@code EOFError}) at once; bytes that are not a
 * frame, or a frame over the limit, make it throw {@link BadFrameException}.
 *
 * <p><b>Across processes.</b> A connection is serializable: captured by a {@code JvmProcess} target or a
 * {@code ProcessPool} task, or sent over another connection, it travels as a descriptor (the rendezvous
 * address of the process it came from, an end id and a one-time token) and the receiving process connects
 * when it decodes it. A pipe end that never was used here then talks straight to its peer; a connection
 * already in use (or both ends of one pipe sent away) is relayed by this process, which must stay alive for
 * it. From then on the end belongs to the receiving process: using it here throws
 * {@link IllegalStateException}, {@code close()} here only forgets it, and a second process decoding the
 * same descriptor is refused. If the process it came from dies, the traveled end gets
 * {@link PeerClosedException}. The receiving process must be of this process family (it inherited the
 * family's auth key, as every JVM procshare starts does).
 *
 * <p>Thread-safe: one sender and one receiver may work at once; more of each take turns.
 */
public final class Connection implements AutoCloseable, Serializable, Portable.Replaced {
    @Serial
    private static final long serialVersionUID = 1L;
    /** The largest frame {@code recv()} and {@code recvBytes()} accept (2 GiB less a little). */
    private static final int MAX_FRAME = Integer.MAX_VALUE - 16;

    private final transient boolean readable;
    private final transient boolean writable;
    private final transient AllowList allowList;
    private final transient Codec codec;
    /** The pipe end this stands for while it is not yet connected; null for connections born connected. */
    private final transient Rendezvous.Slot slot;
    private transient volatile SocketFrames frames;
    private transient volatile boolean closed;
    /** Set once this end was sent to another process: what it travels as. */
    private transient volatile EndDescriptor exported;

    private Connection(SocketFrames frames, Rendezvous.Slot slot, boolean readable, boolean writable,
            AllowList allowList) {
        this.frames = frames;
        this.slot = slot;
        this.readable = readable;
        this.writable = writable;
        this.allowList = allowList;
        this.codec = FastCodec.withFallback(JavaCodec.restricted(allowList));
    }

    static Connection over(SocketFrames frames, AllowList allowList) {
        return new Connection(frames, null, true, true, allowList);
    }

    static Connection over(SocketFrames frames, boolean readable, boolean writable, AllowList allowList) {
        return new Connection(frames, null, readable, writable, allowList);
    }

    static Connection pipeEnd(Rendezvous.Slot slot, boolean readable, boolean writable, AllowList allowList) {
        return new Connection(null, slot, readable, writable, allowList);
    }

    /** Encodes {@code value} and sends it as one frame. */
    public void send(Object value) throws IOException {
        checkWritable();
        byte[] bytes = codec.encode(value);
        frames(Long.MAX_VALUE).send(bytes, 0, bytes.length);
    }

    /** Sends {@code bytes} as one frame (Python's {@code send_bytes}). */
    public void sendBytes(byte[] bytes) throws IOException {
        sendBytes(bytes, 0, bytes.length);
    }

    /** Sends {@code bytes[offset, offset + length)} as one frame. */
    public void sendBytes(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        checkWritable();
        frames(Long.MAX_VALUE).send(bytes, offset, length);
    }

    /** The next value, waiting as long as it takes. */
    public Object recv() throws IOException {
        return decode(receive(MAX_FRAME, Long.MAX_VALUE));
    }

    /**
     * The next value, waiting at most {@code timeout}.
     *
     * @throws SocketTimeoutException if none arrived in time (the connection stays usable)
     */
    public Object recv(Duration timeout) throws IOException {
        return decode(receive(MAX_FRAME, deadline(timeout)));
    }

    /** The next frame's bytes (Python's {@code recv_bytes}). */
    public byte[] recvBytes() throws IOException {
        return receive(MAX_FRAME, Long.MAX_VALUE);
    }

    /**
     * The next frame's bytes, if it is at most {@code maxLength} long; a longer one is not read, and the
     * connection is closed with a {@link BadFrameException}, as Python's {@code recv_bytes(maxlength)} does.
     */
    public byte[] recvBytes(int maxLength) throws IOException {
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength must not be negative: " + maxLength);
        }
        return receive(maxLength, Long.MAX_VALUE);
    }

    /** Whether a frame can be received now without waiting (or the peer has closed: recv will say so). */
    public boolean poll() throws IOException {
        return poll(Duration.ZERO);
    }

    /** Whether a frame arrives within {@code timeout} (or the peer closes); null waits as long as it takes. */
    public boolean poll(Duration timeout) throws IOException {
        checkReadable();
        long deadline = timeout == null ? Long.MAX_VALUE : deadline(timeout);
        SocketFrames f;
        try {
            f = frames(deadline);
        } catch (SocketTimeoutException e) {
            return false; // the other end has not connected yet: nothing to read
        }
        return f.poll(MAX_FRAME, deadline);
    }

    private byte[] receive(int limit, long deadline) throws IOException {
        checkReadable();
        return frames(deadline).receive(limit, deadline);
    }

    private Object decode(byte[] bytes) throws IOException {
        try {
            return codec.decode(bytes);
        } catch (ClassNotAllowedException e) {
            throw e;
        } catch (StreamCorruptedException e) {
            throw new BadFrameException("a frame of " + bytes.length + " bytes from " + peer()
                    + " is not a value written by send() (" + e.getMessage()
                    + "); frames sent with sendBytes() are read with recvBytes()", e);
        } catch (ClassNotFoundException e) {
            throw new java.io.InvalidClassException(e.getMessage(),
                    "a value from " + peer() + " names a class this JVM does not have");
        }
    }

    private static long deadline(Duration timeout) {
        long nanos = timeout.toNanos();
        return nanos <= 0 ? System.nanoTime() : System.nanoTime() + nanos;
    }

    private void checkReadable() {
        if (!readable) {
            throw new IllegalStateException("this is the sending end of a one-way pipe (Pipe.open(false)): it cannot receive");
        }
    }

    private void checkWritable() {
        if (!writable) {
            throw new IllegalStateException("this is the receiving end of a one-way pipe (Pipe.open(false)): it cannot send");
        }
    }

    /** The socket, connecting a pipe end on first use; throws if closed here or sent away. */
    private SocketFrames frames(long deadline) throws IOException {
        checkUsableHere();
        SocketFrames f = frames;
        if (f == null) {
            f = slot.bindLocal(this, deadline);
        }
        return f;
    }

    private void checkUsableHere() throws IOException {
        if (exported != null) {
            throw new IllegalStateException("this connection was sent to another process (" + exported
                    + "); it belongs to that process now, and works there only");
        }
        if (closed) {
            throw new IOException("this connection is closed (close() was called in this process)");
        }
    }

    boolean readable() {
        return readable;
    }

    boolean writable() {
        return writable;
    }

    AllowList allowList() {
        return allowList;
    }

    /** Set by the rendezvous when the other end connects (never after a frame was sent or received). */
    void connected(SocketFrames f) {
        frames = f;
    }

    SocketFrames framesForRendezvous() {
        return frames;
    }

    boolean hasFrames() {
        return frames != null;
    }

    private String peer() {
        SocketFrames f = frames;
        return f == null ? "the other end" : f.peer();
    }

    /**
     * Closes this end: the peer's {@code recv} then throws {@link PeerClosedException}. An end that was sent to
     * another process is only forgotten here (Python's idiom of closing the child's end in the parent).
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        SocketFrames f = frames;
        if (exported == null && f != null) {
            f.close();
        }
        if (slot != null) {
            slot.closed(this);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * The descriptor this connection travels as; from this call on it belongs to the process that decodes
     * it. Called by the codecs when it is serialized.
     *
     * @throws IllegalStateException if it is closed
     */
    @Override
    public synchronized Portable portable() {
        EndDescriptor d = exported;
        if (d != null) {
            return d;
        }
        if (closed) {
            throw new IllegalStateException("a closed connection cannot be sent to another process");
        }
        try {
            if (frames == null && slot != null) {
                d = slot.export(this);
            }
            if (d == null) {
                d = Rendezvous.local().relay(frames, readable, writable, allowList);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot offer this connection to another process: " + e.getMessage(), e);
        }
        exported = d;
        return d;
    }

    @Serial
    private Object writeReplace() {
        return portable();
    }

    @Override
    public String toString() {
        String state = closed ? "closed" : exported != null ? "sent to another process" : frames == null
                ? "not connected yet" : frames.peer();
        return "Connection[" + (readable && writable ? "duplex" : readable ? "receive only" : "send only") + ", "
                + state + "]";
    }
}
