package dev.procshare.manager;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Serves every shared-memory connection of a server from one polling thread, the leader, which runs the
 * calls it finds itself. A call that takes long (a lock wait, a queue take, a slow user method) hands the
 * polling to another thread, and its own thread stays with the call.
 *
 * <p>Why: with a thread per connection, two busy clients and their two server threads are four threads
 * spinning on two cores, and each call waits for a context switch. One leader polling every channel keeps
 * one server thread busy instead of one per client (measured with a raw shared-memory ping-pong of two
 * clients: 0.69 M round trips/s with a thread per client, 1.23 M with one thread for both).
 *
 * <p>A call hands the polling over when it is about to wait (the served objects wait through
 * {@link Served.Caller#await}, which says so) or to move a frame in pieces; for anything else that takes
 * long — a registered class's method that blocks, a function sent to run on the server — a watchdog looks
 * every {@link #tickNanos} and, if the leader is still in the call it was in a tick ago, makes another
 * thread the leader (a parked spare, or a new thread). No list of blocking operations can go stale, and
 * other clients wait at most about two ticks. The watchdog sleeps while the leader does.
 *
 * <p>A connection is in one of three states: {@code IDLE} (the leader polls it), {@code BUSY} (one thread
 * reads, runs and answers its call), {@code ENDED}. Only the thread that moved it to {@code BUSY} touches its
 * link and socket until it is {@code IDLE} again (the leader may only take its selection key's interest away);
 * the state's atomic update is the hand-over.
 *
 * <p>The leader polls for {@link #pollNanos} after the last call (without yielding for the first
 * few µs, see {@link #PURE_SPIN_NANOS}), then marks every idle channel "sleeping" and sleeps in one selector
 * over all their sockets: a client that publishes a request then writes a doorbell byte, as it does for a
 * thread of its own. An idle server uses no CPU (it wakes once a second). While busy, the leader looks at the
 * sockets every millisecond between calls, so a client that dies is noticed under load too.
 */
final class ShmDispatcher {
    /** Made on first use: setting up the JDK's logging costs a new JVM ~10 ms, and it logs only on trouble. */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(ShmDispatcher.class.getName());
    }

    /**
     * How often the watchdog looks while the leader is awake: a call that has not ended in one to two ticks
     * hands the polling over. A call that waits (a lock, a queue, an event) or moves a frame in pieces hands
     * over when it starts to and does not need the watchdog; a registered class's method that blocks, or a
     * function sent to run on the server that takes long, does. Not shorter: each look wakes a thread that
     * preempts a busy one. Measured, 2 busy clients (6 runs each, median): 1 ms ticks 0.80 M calls/s, 4 ms
     * 1.12 M, 10 ms 1.09 M, 50 ms 1.17 M; and at 200 µs ticks a call's p99 on one vCPU went from 8 to 27 µs.
     */
    static volatile long tickNanos = 5_000_000; // tests lengthen it, to see that a wait hands over by itself
    /** How long the leader polls after the last call before it sleeps (tests keep it awake). */
    static volatile long pollNanos = Connection.SPIN_NANOS;
    /**
     * How long the leader polls without yielding its CPU after a call, when it has more than one: two busy
     * clients then send their next calls to a server thread that is on a CPU, instead of one that yielded it
     * to a client (measured, 2 clients: 0.5 M calls/s yielding at once, 1.0-1.1 M/s after 5 µs). On a single
     * CPU this would only keep the client from running.
     */
    private static final long PURE_SPIN_NANOS = Runtime.getRuntime().availableProcessors() > 1 ? 5_000 : 0;
    /** How often a busy leader still looks at the sockets, for clients that died while idle. */
    private static final long CHECK_NANOS = 1_000_000;
    /** How long a spare thread waits to lead before it ends (tests shorten it), and how many spare threads stay. */
    static volatile long spareMillis = 30_000;
    private static final int SPARES_KEPT = 2;

    private static final int IDLE = 0, BUSY = 1, ENDED = 2;

    /** A connection the dispatcher serves. */
    private static final class Member {
        final ServerConnection connection;
        final Connection conn;
        final ShmLink link;
        final AtomicInteger state = new AtomicInteger(BUSY);
        SelectionKey key;
        /** Its socket is left out of the selector while it is busy and readable (set by the leader, cleared by either). */
        volatile boolean muted;

        Member(ServerConnection connection, Connection conn, ShmLink link) {
            this.connection = connection;
            this.conn = conn;
            this.link = link;
        }
    }

    /**
     * A thread of the dispatcher. Its call state is odd while it runs a call (twice the call's number, plus
     * one), even between calls, {@link #RESIGNED} once the watchdog took the polling from it during a call:
     * the leader leaves a call and the watchdog takes the polling by compare-and-set, so that only a leader
     * still in the same call can lose the polling to the watchdog.
     */
    private static final class Worker {
        static final long RESIGNED = -1;
        final java.util.concurrent.atomic.AtomicLong call = new java.util.concurrent.atomic.AtomicLong();
        /** Calls this thread has run; only it reads and writes this. */
        long calls;
        /** Run by a call of this thread's that is about to wait: someone else polls meanwhile. */
        Runnable resign;
    }

    private final Selector selector;
    private volatile Member[] members = new Member[0];
    /** Guards the roles: who leads, who waits to. */
    private final Object roles = new Object();
    private volatile Worker leader;
    private int spares;
    private volatile boolean asleep;
    private volatile boolean closed;
    private final Thread watchdog;
    private volatile boolean watchdogParked;
    /** The name of the threads that lead or wait to. */
    final String threadName;

    ShmDispatcher(ManagerServer server) throws IOException {
        this.selector = Selector.open();
        this.threadName = "procshare-manager-shm " + server.address();
        watchdog = new Thread("procshare-manager-watchdog " + server.address()) { // a class, not a lambda: see ServeTarget
            @Override
            public void run() {
                watch();
            }
        };
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * Takes over a connection that has switched to shared memory and has no call running. The calling thread
     * then serves the dispatcher too ({@link #work()}): threads come with connections and leave when spare.
     */
    void adopt(ServerConnection connection, Connection conn) throws IOException {
        Member m = new Member(connection, conn, conn.link());
        synchronized (this) {
            if (closed) {
                throw new EOFException("the server is closing");
            }
            m.key = conn.register(selector, m); // under the lock: close() closes the selector under it too
            Member[] now = Arrays.copyOf(members, members.length + 1);
            now[now.length - 1] = m;
            members = now;
        }
        release(m);
        selector.wakeup(); // a sleeping leader must add the new socket to its wait
        if (watchdogParked) {
            LockSupport.unpark(watchdog);
        }
    }

    /** Serves as leader or waits to, until this thread is spare for long or the dispatcher closes. */
    void work() {
        Worker me = new Worker();
        me.resign = () -> resign(me);
        while (true) {
            synchronized (roles) {
                spares++;
                try {
                    while (leader != null && !closed) {
                        long start = System.nanoTime();
                        long wait = spareMillis;
                        try {
                            roles.wait(wait);
                        } catch (InterruptedException e) {
                            return; // nobody interrupts these threads but an embedding that wants them gone
                        }
                        if (leader != null && spares > SPARES_KEPT
                                && System.nanoTime() - start >= wait * 1_000_000) {
                            return;
                        }
                    }
                    if (closed) {
                        return;
                    }
                    leader = me;
                    me.call.set(2 * me.calls + 2); // between calls, and no longer RESIGNED
                } finally {
                    spares--;
                }
            }
            lead(me);
        }
    }

    private void lead(Worker me) {
        try {
            long quietSince = 0;
            long lastCheck = System.nanoTime();
            while (leader == me && !closed) {
                boolean served = false;
                for (Member m : members) {
                    if (m.state.get() == IDLE && hasIncoming(m) && m.state.compareAndSet(IDLE, BUSY)) {
                        served = true;
                        if (!serve(me, m) || leader != me) {
                            return; // the call took long or waited: another thread polls now
                        }
                    }
                }
                long now = System.nanoTime();
                if (now - lastCheck >= CHECK_NANOS) {
                    lastCheck = now;
                    selector.selectNow();
                    handleReadable();
                }
                if (served) {
                    quietSince = 0;
                } else if (quietSince == 0) {
                    quietSince = now;
                } else if (now - quietSince >= pollNanos) {
                    sleep();
                    quietSince = 0;
                    lastCheck = System.nanoTime();
                } else if (now - quietSince >= PURE_SPIN_NANOS) {
                    Thread.yield(); // lets a client run if it shares this CPU
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                Log.LOG.log(System.Logger.Level.WARNING, () -> "shared-memory dispatcher failed", e);
            }
        } finally {
            resign(me); // if it still leads (it left on an error, or the dispatcher closed)
        }
    }

    private static boolean hasIncoming(Member m) {
        try {
            return m.link.hasIncoming();
        } catch (IllegalStateException e) {
            return true; // a closed mapping (Java 22+): serving it fails and ends the connection
        }
    }

    /**
     * Runs one call of {@code m} (BUSY, owned by this thread), then gives {@code m} back or ends it; false if
     * the watchdog took the polling from this thread meanwhile.
     */
    private boolean serve(Worker me, Member m) {
        long inCall = 2 * ++me.calls + 1;
        me.call.set(inCall);
        boolean more;
        try {
            more = m.connection.serveOne(me.resign);
        } catch (EOFException e) {
            more = false; // the client closed the connection: the normal end
        } catch (IOException | RuntimeException | Error e) {
            Log.LOG.log(System.Logger.Level.DEBUG, () -> "connection " + m.connection.id() + " ended", e);
            more = false;
        }
        if (more && !closed) {
            release(m);
        } else {
            end(m);
        }
        return me.call.compareAndSet(inCall, inCall + 1);
    }

    /** Makes a busy member idle again: the leader polls it. */
    private void release(Member m) {
        m.state.set(IDLE);
        if (m.muted) {
            unmute(m); // its hang-up must be heard again (mute() looks at the state after muting)
        }
        if (closed && m.state.compareAndSet(IDLE, BUSY)) {
            end(m); // close() has looked for idle members already (or sees this one busy)
            return;
        }
        // A leader that went to sleep while this was busy did not mark its channel "sleeping": wake it.
        if (asleep) {
            selector.wakeup();
        }
    }

    /** Ends a member that this thread holds BUSY (or took from IDLE): closes it and drops its session. */
    private void end(Member m) {
        m.state.set(ENDED);
        try {
            synchronized (this) {
                Member[] now = new Member[members.length];
                int n = 0;
                for (Member other : members) {
                    if (other != m) {
                        now[n++] = other;
                    }
                }
                members = Arrays.copyOf(now, n);
            }
            m.key.cancel();
        } finally {
            m.connection.end(); // whatever happened above: the session's locks must be released
        }
    }

    /** Marks the idle channels sleeping and waits for a doorbell, a hang-up or a second. */
    private void sleep() throws IOException {
        asleep = true;
        Member[] ms = members;
        boolean[] marked = new boolean[ms.length];
        boolean ready = false;
        for (int i = 0; i < ms.length; i++) {
            Member m = ms[i];
            if (m.state.get() == IDLE) {
                marked[i] = sleeping(m, true);
                // Dekker with the client's "publish, then read sleeping": one of the two sees the other.
                ready |= hasIncoming(m);
            }
        }
        try {
            if (!ready) {
                selector.select(1_000);
            }
        } finally {
            asleep = false;
            if (watchdogParked) {
                LockSupport.unpark(watchdog);
            }
            for (int i = 0; i < ms.length; i++) {
                if (marked[i]) {
                    sleeping(ms[i], false);
                }
            }
        }
        handleReadable();
    }

    private static boolean sleeping(Member m, boolean asleep) {
        try {
            m.link.sleeping(asleep);
            return true;
        } catch (IllegalStateException e) {
            return false; // a closed mapping: the member ends when it is served
        }
    }

    /** Reads the doorbells of the idle channels the selector found readable; ends those whose client hung up. */
    private void handleReadable() {
        for (SelectionKey key : selector.selectedKeys()) {
            Member m = (Member) key.attachment();
            if (!m.state.compareAndSet(IDLE, BUSY)) {
                if (m.state.get() == BUSY) {
                    mute(m); // its thread reads the socket itself if it needs to
                }
                continue;
            }
            boolean hungUp;
            try {
                hungUp = m.conn.drainDoorbells();
            } catch (IOException e) {
                hungUp = true;
            }
            if (hungUp && !hasIncoming(m)) {
                end(m);
            } else {
                release(m); // its last words, if any, are served; then the hang-up is seen again
            }
        }
        selector.selectedKeys().clear();
    }

    /** Leaves a busy member's socket out of the selector, which would otherwise report it again at once. */
    private void mute(Member m) {
        m.muted = true;
        interest(m, 0);
        if (m.state.get() == IDLE) { // released meanwhile (it saw muted false, or it woke the selector)
            unmute(m);
        }
    }

    private void unmute(Member m) {
        m.muted = false;
        interest(m, SelectionKey.OP_READ);
    }

    private static void interest(Member m, int ops) {
        try {
            m.key.interestOps(ops);
        } catch (CancelledKeyException | ClosedSelectorException e) {
            // ended meanwhile, or the dispatcher is closing (and ends it)
        }
    }

    /** Gives up leading, if {@code me} still leads: another thread polls. */
    private void resign(Worker me) {
        synchronized (roles) {
            if (leader == me) {
                leader = null;
                handOver();
            }
        }
    }

    /** Makes another thread the leader: a spare one, or a new one. Holds {@link #roles}. */
    private void handOver() {
        if (closed) {
            return;
        }
        if (spares > 0) {
            roles.notify();
            return;
        }
        try {
            Thread t = new Thread(threadName) { // a class, not a lambda: see ServeTarget
                @Override
                public void run() {
                    work();
                }
            };
            t.setDaemon(true);
            t.start();
        } catch (OutOfMemoryError e) {
            // no thread to be had: the watchdog tries again at its next look
        }
    }

    /** Every tick while the leader is awake: a leader still in the call it was in at the last look hands over. */
    private void watch() {
        Worker seen = null;
        long seenCall = 0;
        long seenAt = 0;
        long leaderlessSince = 0;
        while (!closed) {
            Worker l = leader;
            if (asleep || l == null && members.length == 0) {
                watchdogParked = true;
                if (asleep || leader == null && members.length == 0) {
                    LockSupport.parkNanos(this, 1_000_000_000L);
                }
                watchdogParked = false;
                seen = null;
                leaderlessSince = 0;
                continue;
            }
            long now = System.nanoTime();
            if (l == null) {
                if (leaderlessSince == 0) {
                    leaderlessSince = now;
                } else if (now - leaderlessSince >= tickNanos) { // a thread could not be started, or died
                    leaderlessSince = now;
                    synchronized (roles) {
                        if (leader == null) {
                            handOver();
                        }
                    }
                }
            } else {
                leaderlessSince = 0;
                long call = l.call.get();
                // a whole tick in the same call (a park can return early: an old unpark, or none at all)
                if (l == seen && call == seenCall && now - seenAt >= tickNanos && call > 0 && (call & 1) != 0
                        && l.call.compareAndSet(call, Worker.RESIGNED)) {
                    synchronized (roles) {
                        if (leader == l && l.call.get() == Worker.RESIGNED) { // not led again meanwhile
                            leader = null;
                            handOver();
                        }
                    }
                }
                if (l != seen || call != seenCall) {
                    seenCall = call;
                    seenAt = now;
                }
            }
            seen = l;
            LockSupport.parkNanos(this, tickNanos);
        }
    }

    /**
     * Stops: the threads leave once their calls are done, and the idle connections end (their sessions'
     * locks and references are released). A busy connection ends when its call does.
     */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        synchronized (roles) {
            roles.notifyAll();
        }
        LockSupport.unpark(watchdog);
        for (Member m : members) {
            if (m.state.compareAndSet(IDLE, BUSY)) {
                end(m);
            }
        }
        synchronized (this) {
            try {
                selector.close(); // wakes a sleeping leader
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public String toString() {
        return "ShmDispatcher[" + members.length + " connections" + (closed ? ", closed" : "") + "]";
    }
}
