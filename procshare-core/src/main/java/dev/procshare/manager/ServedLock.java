package dev.procshare.manager;

import java.util.ArrayDeque;
import java.util.List;

/**
 * A lock owned by one thread of one client (Python's {@code Lock}, or {@code RLock} when reentrant), with
 * its conditions. A client that dies holding it releases it, and the next acquirer is told the previous
 * owner died (the state it protected may be half changed), like a robust POSIX mutex.
 */
final class ServedLock implements Served {
    /** Acquire results: not acquired, acquired, acquired from an owner that died. */
    static final int FAILED = 0, ACQUIRED = 1, ACQUIRED_FROM_DEAD_OWNER = 2;

    private final boolean reentrant;
    private Owner owner;
    private int holds;
    private boolean ownerDied;

    ServedLock(boolean reentrant) {
        this.reentrant = reentrant;
    }

    @Override
    public synchronized Object call(String op, List<Object> args, Caller caller) throws InterruptedException {
        switch (op) {
            case "acquire": // [timeoutNanos]: 0 = try, negative = wait
                return acquire(caller, Caller.deadline((Long) args.get(0)));
            case "release":
                release(caller.owner());
                return null;
            case "isLocked":
                return owner != null;
            case "isHeldByCaller":
                return caller.owner().equals(owner);
            case "holdCount":
                return caller.owner().equals(owner) ? holds : 0;
            default:
                throw Served.unknown("a lock", op);
        }
    }

    synchronized int acquire(Caller caller, long deadline) throws InterruptedException {
        Owner me = caller.owner();
        if (reentrant && me.equals(owner)) {
            holds++;
            return ACQUIRED;
        }
        while (owner != null) {
            if (!caller.await(this, deadline)) {
                return FAILED;
            }
        }
        owner = me;
        holds = 1;
        caller.session().touched.add(this);
        boolean died = ownerDied;
        ownerDied = false;
        return died ? ACQUIRED_FROM_DEAD_OWNER : ACQUIRED;
    }

    synchronized void release(Owner me) {
        if (!me.equals(owner)) {
            throw new IllegalMonitorStateException(owner == null ? "the lock is not held"
                    : "the lock is held by another thread or process");
        }
        if (--holds == 0) {
            owner = null;
            notifyAll();
        }
    }

    /** Releases completely, returning the hold count (for a condition's await). */
    synchronized int releaseAll(Owner me) {
        if (!me.equals(owner)) {
            throw new IllegalMonitorStateException("await without holding the condition's lock");
        }
        int h = holds;
        owner = null;
        holds = 0;
        notifyAll();
        return h;
    }

    /** Takes the lock back after a condition wait, whatever happens: waits without giving up. */
    synchronized void reacquire(Owner me, int h) {
        boolean interrupted = false;
        while (owner != null) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        owner = me;
        holds = h;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized boolean isHeldBy(Owner me) {
        return me.equals(owner);
    }

    @Override
    public synchronized void sessionEnded(Session session) {
        if (owner != null && owner.session() == session) {
            owner = null;
            holds = 0;
            ownerDied = true;
            notifyAll();
        }
    }

    ServedCondition newCondition() {
        return new ServedCondition(this);
    }

    /** A condition of this lock: waiters queue in order; a signal wakes the longest waiting. */
    static final class ServedCondition implements Served {
        private final ServedLock lock;
        private final ArrayDeque<boolean[]> waiters = new ArrayDeque<>();

        ServedCondition(ServedLock lock) {
            this.lock = lock;
        }

        @Override
        public Object call(String op, List<Object> args, Caller caller) throws InterruptedException {
            synchronized (lock) {
                switch (op) {
                    case "await": // [timeoutNanos] → signalled (true) or timed out (false)
                        return await(caller, Caller.deadline((Long) args.get(0)));
                    case "signal": {
                        check(caller);
                        boolean[] w = waiters.pollFirst();
                        if (w != null) {
                            w[0] = true;
                            lock.notifyAll();
                        }
                        return null;
                    }
                    case "signalAll": {
                        check(caller);
                        for (boolean[] w : waiters) {
                            w[0] = true;
                        }
                        waiters.clear();
                        lock.notifyAll();
                        return null;
                    }
                    default:
                        throw Served.unknown("a condition", op);
                }
            }
        }

        private void check(Caller caller) {
            if (!lock.isHeldBy(caller.owner())) {
                throw new IllegalMonitorStateException("signal without holding the condition's lock");
            }
        }

        private boolean await(Caller caller, long deadline) throws InterruptedException {
            Owner me = caller.owner();
            int holds = lock.releaseAll(me);
            boolean[] signalled = {false};
            waiters.addLast(signalled);
            try {
                while (!signalled[0]) {
                    if (!caller.await(lock, deadline)) {
                        break;
                    }
                }
            } finally {
                waiters.remove(signalled);
                lock.reacquire(me, holds);
            }
            return signalled[0];
        }
    }
}
