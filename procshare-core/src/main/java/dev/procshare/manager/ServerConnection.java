package dev.procshare.manager;

import dev.procshare.codec.Codec;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;

/**
 * One client connection on the server: its thread authenticates the peer, then reads a request, runs it and
 * writes the reply, until the peer closes. Once the connection uses shared memory, the server's
 * {@link ShmDispatcher} serves it instead (on whichever of its threads) and this thread works for the
 * dispatcher. Either way a call that blocks (a lock, a queue) holds up only its own caller.
 */
final class ServerConnection implements Runnable {
    /** Made on first use: setting up the JDK's logging costs a new JVM ~10 ms, and it logs only on trouble. */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(ServerConnection.class.getName());
    }

    private final ManagerServer server;
    private final Connection conn;
    private final long id;
    private Session session;
    private boolean permitHeld = true;

    /** Guards {@link #thread} and {@link #runningSeq} against a cancel from another connection. */
    private final Object callLock = new Object();
    private Thread thread;
    private int runningSeq = -1;
    /** A cancel that came before its call started (it travels on another connection). */
    private int pendingCancel = -1;
    private Runnable undoOnReplyFailure;
    /** Set only while the dispatcher's thread runs a call, and read by that thread. */
    private Runnable beforeWait;
    private ShmLink shmAfterReply;

    ServerConnection(ManagerServer server, Connection conn, long id) {
        this.server = server;
        this.conn = conn;
        this.id = id;
    }

    long id() {
        return id;
    }

    @Override
    public void run() {
        ServerConfig config = server.config();
        boolean adopted = false;
        try {
            long deadline = System.nanoTime() + config.handshakeTimeout().toNanos();
            Handshake.Client client;
            try {
                client = Handshake.serve(conn, config.authKey(), id, server.settings(), deadline);
            } finally {
                server.handshakeDone();
                permitHeld = false;
            }
            session = server.attach(client.sessionId());
            Codec codec = server.codec();
            while (!server.isClosed() && serveOne(codec, config)) {
                if (conn.usesShm()) {
                    // From now on the server's shared-memory dispatcher serves this connection, and this
                    // thread serves the dispatcher.
                    ShmDispatcher dispatcher = server.shmDispatcher();
                    dispatcher.adopt(this, conn);
                    adopted = true;
                    Thread.currentThread().setName(dispatcher.threadName);
                    dispatcher.work();
                    return;
                }
            }
        } catch (EOFException e) {
            // the client closed the connection: the normal end
        } catch (AuthenticationException | IOException e) {
            Log.LOG.log(System.Logger.Level.DEBUG, () -> "connection " + id + " from " + conn.peer() + " ended: " + e);
        } catch (RuntimeException | Error e) {
            Log.LOG.log(System.Logger.Level.DEBUG, () -> "connection " + id + " failed", e);
        } finally {
            if (!adopted) {
                end();
            }
        }
    }

    /** Closes the connection and lets the server drop what its session held if it was the session's last. */
    void end() {
        conn.close();
        if (shmAfterReply != null) {
            shmAfterReply.close();
        }
        if (permitHeld) {
            permitHeld = false;
            server.handshakeDone();
        }
        server.detach(this, session);
    }

    /**
     * {@link #serveOne(Codec, ServerConfig)} for the dispatcher, on whichever thread it runs; {@code beforeWait}
     * runs once if the call is about to wait (for a lock, an item, an event).
     */
    boolean serveOne(Runnable beforeWait) throws IOException {
        this.beforeWait = beforeWait;
        try {
            return serveOne(server.codec(), server.config());
        } finally {
            this.beforeWait = null;
        }
    }

    /** Called by a call of this connection's before it waits; see {@link #serveOne(Runnable)}. */
    void aboutToWait() {
        Runnable r = beforeWait;
        if (r != null) {
            beforeWait = null;
            r.run();
        }
    }

    /**
     * Reads, runs and answers one request; false when this connection is done. A method of its own rather
     * than the loop's body: a JIT deoptimization (a new kind of call changes a type profile) then sends only
     * this method back to the interpreter, until it has been called a few hundred times, instead of the
     * on-stack-replaced loop until it has turned 60 000 times (HotSpot's Tier3BackEdgeThreshold). Measured
     * right after a client's first event wait and value update: the next 10 000 reads took 11 µs each with
     * the loop, 6 µs with this method (0.8 µs once recompiled).
     */
    private boolean serveOne(Codec codec, ServerConfig config) throws IOException {
        byte[] frame;
        try {
            if (beforeWait != null && conn.link().incomingMore()) {
                aboutToWait(); // the rest comes piece by piece, as the client gets to write it
            }
            frame = conn.receive(config.maxFrameBytes(), Connection.SPIN_NANOS, 0, null);
        } catch (StreamCorruptedException e) {
            reply(codec, -1, new ManagerException("request refused: " + e.getMessage()
                    + "; the connection is closed"));
            return false;
        }
        Object request;
        try {
            request = codec.decode(frame);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            reply(codec, -1, new ManagerException("request could not be decoded: " + e, e));
            return true;
        }
        if (!(request instanceof List<?> r) || r.size() != 5 || !(r.get(0) instanceof Integer seq)
                || !(r.get(1) instanceof Long objectId) || !(r.get(2) instanceof String op)
                || !(r.get(3) instanceof Long threadId) || !(r.get(4) instanceof List<?> args)) {
            reply(codec, -1, new ManagerException("malformed request"));
            return true;
        }
        @SuppressWarnings("unchecked")
        List<Object> argList = (List<Object>) args;
        Object result;
        boolean failed = false;
        synchronized (callLock) {
            thread = Thread.currentThread(); // under the dispatcher, calls of one connection run on any thread
            runningSeq = seq;
            undoOnReplyFailure = null;
            if (pendingCancel == seq) {
                pendingCancel = -1;
                Thread.currentThread().interrupt(); // the call is cancelled before it starts
            }
        }
        try {
            result = server.objects().get(objectId).served.call(op, argList,
                    new Served.Caller(session, threadId, this));
        } catch (PeerGoneException e) {
            return false;
        } catch (InvocationTargetException e) {
            result = e.getCause();
            failed = true;
        } catch (Throwable t) {
            result = t;
            failed = true;
        } finally {
            synchronized (callLock) {
                runningSeq = -1;
                Thread.interrupted(); // a cancel that came late must not reach the next call
            }
        }
        if (!reply(codec, seq, result, failed)) {
            return false;
        }
        if (shmAfterReply != null) {
            conn.useShm(shmAfterReply);
            shmAfterReply = null;
        }
        return true;
    }

    private void reply(Codec codec, int seq, Throwable error) throws IOException {
        reply(codec, seq, error, true);
    }

    /** Writes a reply; false (after undoing the call's effect where it can be) if the client is gone. */
    private boolean reply(Codec codec, int seq, Object value, boolean failed) throws IOException {
        if (failed) {
            // the client decodes with the same allow-list: a class it would refuse travels as text
            value = RemoteCallException.transportable((Throwable) value, server.allowList());
        }
        byte[] bytes;
        try {
            bytes = codec.encode(frame(failed, value));
        } catch (IOException | RuntimeException e) {
            ManagerException why = new ManagerException("the " + (failed ? "exception" : "result")
                    + " of the call could not be sent back: " + e);
            bytes = codec.encode(frame(true, why));
        }
        if (bytes.length > server.config().maxFrameBytes()) {
            bytes = codec.encode(frame(true, new ManagerException("the " + (failed ? "exception" : "result")
                    + " of the call is " + bytes.length + " bytes, over the manager's frame limit of "
                    + server.config().maxFrameBytes() + " (Manager.builder().maxFrameBytes)")));
        }
        try {
            if (bytes.length > ShmLink.CAPACITY) {
                aboutToWait(); // the reply goes piece by piece, as the client takes them
            }
            conn.send(bytes);
            return true;
        } catch (IOException e) {
            Runnable undo = undoOnReplyFailure;
            if (undo != null) {
                undo.run();
            }
            throw e;
        }
    }

    /** Reply statuses: a value, an exception, an object the server now hosts for the caller. */
    static final int VALUE = 0, EXCEPTION = 1, OBJECT_REF = 2;

    private static ArrayList<Object> frame(boolean failed, Object value) {
        ArrayList<Object> reply = new ArrayList<>(2);
        if (!failed && value instanceof ObjectRef ref) {
            // sent as plain fields: no Java serialization for the commonest reply after a value
            ArrayList<Object> fields = new ArrayList<>(4);
            fields.add(ref.id());
            fields.add(ref.kind());
            fields.add(ref.typeId());
            fields.add(ref.interfaceName());
            reply.add(OBJECT_REF);
            reply.add(fields);
            return reply;
        }
        reply.add(failed ? EXCEPTION : VALUE);
        reply.add(value);
        return reply;
    }

    void useShmAfterReply(ShmLink link) {
        shmAfterReply = link;
    }

    boolean isLocal() {
        return conn.isLocal();
    }

    boolean usesShm() {
        return conn.usesShm() || shmAfterReply != null;
    }

    void onReplyFailed(Runnable undo) {
        undoOnReplyFailure = undo;
    }

    boolean peerClosed() {
        return conn.peerClosed();
    }

    /** Interrupts the call {@code seq} if it is still running (the client's thread was interrupted). */
    void cancel(int seq) {
        synchronized (callLock) {
            if (runningSeq == seq && thread != null) {
                thread.interrupt();
            } else {
                pendingCancel = seq;
            }
        }
    }

    void close() {
        conn.close();
    }
}
