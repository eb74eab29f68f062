package dev.procshare.manager;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A counting semaphore; bounded, it refuses a release above its initial count (Python's
 * {@code BoundedSemaphore}). Permits a client took and did not give back are returned when it dies.
 */
final class ServedSemaphore implements Served {
    private final int initial;
    private final boolean bounded;
    private int permits;
    /** Permits each session holds (acquired minus released, never below zero). */
    private final Map<Session, Integer> held = new HashMap<>();

    ServedSemaphore(int permits, boolean bounded) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must not be negative: " + permits);
        }
        this.initial = permits;
        this.permits = permits;
        this.bounded = bounded;
    }

    @Override
    public synchronized Object call(String op, List<Object> args, Caller caller) throws InterruptedException {
        switch (op) {
            case "acquire": { // [n, timeoutNanos]
                int n = (Integer) args.get(0);
                long deadline = Caller.deadline((Long) args.get(1));
                while (permits < n) {
                    if (!caller.await(this, deadline)) {
                        return false;
                    }
                }
                permits -= n;
                held.merge(caller.session(), n, Integer::sum);
                caller.session().touched.add(this);
                return true;
            }
            case "release": {
                int n = (Integer) args.get(0);
                if (bounded && permits + n > initial) {
                    throw new IllegalStateException("bounded semaphore released too many times (" + (permits + n)
                            + " permits > " + initial + ")");
                }
                permits += n;
                settle(caller.session(), n);
                notifyAll();
                return null;
            }
            case "availablePermits":
                return permits;
            default:
                throw Served.unknown("a semaphore", op);
        }
    }

    /**
     * Counts {@code n} released permits against what sessions hold: the releaser's own first, the rest against
     * other holders (a consumer releasing what a producer acquired), so that a session's end returns only
     * permits still out.
     */
    private void settle(Session releaser, int n) {
        int left = takeFrom(releaser, n);
        for (Session other : new java.util.ArrayList<>(held.keySet())) {
            if (left == 0) {
                break;
            }
            left = takeFrom(other, left);
        }
    }

    private int takeFrom(Session session, int n) {
        Integer h = held.get(session);
        if (h == null) {
            return n;
        }
        int taken = Math.min(h, n);
        if (h - taken == 0) {
            held.remove(session);
            session.touched.remove(this);
        } else {
            held.put(session, h - taken);
        }
        return n - taken;
    }

    @Override
    public synchronized void sessionEnded(Session session) {
        Integer h = held.remove(session);
        if (h != null) {
            permits += h;
            notifyAll();
        }
    }
}
