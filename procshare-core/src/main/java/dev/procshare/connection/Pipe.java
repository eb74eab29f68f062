package dev.procshare.connection;

import dev.procshare.codec.AllowList;

/**
 * Python's {@code multiprocessing.Pipe()}: two connected {@link Connection}s. Duplex by default; a one-way
 * pipe's {@link #first()} only receives and its {@link #second()} only sends (Python's
 * {@code r, w = Pipe(duplex=False)}), and a call the wrong way throws {@link IllegalStateException}.
 *
 * <p><b>Across processes.</b> Either end, or both, may be captured by a {@code JvmProcess} target or a
 * {@code ProcessPool} task, or sent over another connection. The ends connect lazily: an end sent away
 * before this process used it is connected straight to its peer by the receiving process; if both ends are
 * sent away, this process relays between them and must outlive them (if it dies they get
 * {@link PeerClosedException}). Each end works in one process only. See {@link Connection}.
 */
public final class Pipe implements AutoCloseable {
    private final Connection first;
    private final Connection second;

    private Pipe(Connection first, Connection second) {
        this.first = first;
        this.second = second;
    }

    /** A duplex pipe: both ends send and receive. */
    public static Pipe open() {
        return open(true);
    }

    /** A pipe; one-way unless {@code duplex}: then {@link #first()} receives what {@link #second()} sends. */
    public static Pipe open(boolean duplex) {
        return open(duplex, AllowList.defaults());
    }

    /** As {@link #open(boolean)}; what its ends' {@code recv()} decodes is limited by {@code allowList}. */
    public static Pipe open(boolean duplex, AllowList allowList) {
        Rendezvous.Entry entry = Rendezvous.pipe();
        Connection a = Connection.pipeEnd(entry.slots[0], true, duplex, allowList);
        Connection b = Connection.pipeEnd(entry.slots[1], duplex, true, allowList);
        entry.slots[0].local = a;
        entry.slots[1].local = b;
        return new Pipe(a, b);
    }

    /** The first end (the receiving one of a one-way pipe). */
    public Connection first() {
        return first;
    }

    /** The second end (the sending one of a one-way pipe). */
    public Connection second() {
        return second;
    }

    /** Closes both ends in this process (an end sent to another process is only forgotten here). */
    @Override
    public void close() {
        first.close();
        second.close();
    }

    @Override
    public String toString() {
        return "Pipe[" + first + ", " + second + "]";
    }
}
