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
                held.computeIfPresent(caller.session(), (s, h) -> h - n > 0 ? h - n : null);
                notifyAll();
                return null;
            }
            case "availablePermits":
                return permits;
            default:
                throw Served.unknown("a semaphore", op);
        }
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
