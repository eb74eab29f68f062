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
        try {
            while (owner != null) {
                if (!caller.await(this, deadline)) {
                    return FAILED;
                }
            }
        } finally {
            if (owner == null) {
                notify(); // leaving without the lock: pass the wake-up on to another waiter
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
            me.session().touched.remove(this); // only a session holding it must be told when it ends
            notify(); // one waiter: waking all of them for one lock is a stampede under contention
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
        notify();
        return h;
    }

    /**
     * Takes the lock back after a condition wait whatever happens, as {@code Condition.await} must; gives up
     * only if the caller is gone ({@link PeerGoneException}).
     */
    synchronized void reacquire(Caller caller, Owner me, int h) {
        boolean interrupted = false;
        while (owner != null) {
            try {
                caller.aboutToWait();
                wait(100); // single wake-ups may go to another waiter first: look again regularly
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (owner != null && caller.connection() != null && caller.connection().peerClosed()) {
                notify();
                throw new PeerGoneException();
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
            notify();
        }
    }

    ServedCondition newCondition() {
        return new ServedCondition(this);
    }

    /**
     * A condition of this lock: waiters queue in order and each sleeps on its own monitor, so that a signal
     * wakes exactly the longest waiting one and a release of the lock wakes only lock waiters.
     */
    static final class ServedCondition implements Served {
        private final ServedLock lock;
        private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

        private static final class Waiter {
            boolean signalled;
        }

        ServedCondition(ServedLock lock) {
            this.lock = lock;
        }

        @Override
        public Object call(String op, List<Object> args, Caller caller) throws InterruptedException {
            switch (op) {
                case "await": // [timeoutNanos] → signalled (true) or timed out (false)
                    return await(caller, Caller.deadline((Long) args.get(0)));
                case "signal": {
                    Waiter w;
                    synchronized (lock) {
                        check(caller);
                        w = waiters.pollFirst();
                    }
                    if (w != null) {
                        synchronized (w) {
                            w.signalled = true;
                            w.notify();
                        }
                    }
                    return null;
                }
                case "signalAll": {
                    List<Waiter> all;
                    synchronized (lock) {
                        check(caller);
                        all = List.copyOf(waiters);
                        waiters.clear();
                    }
                    for (Waiter w : all) {
                        synchronized (w) {
                            w.signalled = true;
                            w.notify();
                        }
                    }
                    return null;
                }
                default:
                    throw Served.unknown("a condition", op);
            }
        }

        private void check(Caller caller) {
            if (!lock.isHeldBy(caller.owner())) {
                throw new IllegalMonitorStateException("signal without holding the condition's lock");
            }
        }

        private boolean await(Caller caller, long deadline) throws InterruptedException {
            Owner me = caller.owner();
            Waiter waiter = new Waiter();
            int holds;
            synchronized (lock) {
                holds = lock.releaseAll(me);
                waiters.addLast(waiter); // queued before the lock is free: no signal can be missed
            }
            boolean interrupted = false;
            try {
                synchronized (waiter) {
                    while (!waiter.signalled) {
                        if (!caller.await(waiter, deadline)) {
                            break;
                        }
                    }
                }
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (PeerGoneException e) {
                // The caller is gone: it must not take the lock back (its session's end cannot come while this
                // thread waits for the lock), and a signal it received goes to the next waiter.
                leave(waiter);
                passOn(waiter);
                throw e;
            }
            leave(waiter);
            lock.reacquire(caller, me, holds);
            boolean signalled;
            synchronized (waiter) {
                signalled = waiter.signalled;
            }
            if (interrupted) {
                if (signalled) {
                    Thread.currentThread().interrupt(); // signalled and interrupted: return normally, flag set
                    return true;
                }
                throw new InterruptedException();
            }
            return signalled;
        }

        /** Takes {@code waiter} out of the queue (a signalled one is out already). */
        private void leave(Waiter waiter) {
            synchronized (lock) {
                waiters.remove(waiter);
            }
        }

        /** Passes a signal that {@code waiter} received to the next waiter, if any. */
        private void passOn(Waiter waiter) {
            Waiter next;
            synchronized (lock) {
                synchronized (waiter) {
                    if (!waiter.signalled) {
                        return;
                    }
                }
                next = waiters.pollFirst();
            }
            if (next != null) {
                synchronized (next) {
                    next.signalled = true;
                    next.notify();
                }
            }
        }
    }
}
