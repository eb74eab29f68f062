package dev.procshare.memory;

import java.util.concurrent.locks.LockSupport;

/**
 * How a process waits for another process: there is no cross-process futex in Java, so a waiter spins for
 * a few microseconds (hand-overs between busy processes take well under that), then yields, then parks for
 * growing intervals up to {@value #MAX_PARK_NANOS} ns. A long wait costs almost no CPU and wakes within about
 * a millisecond of the change it waits for.
 */
final class Backoff {
    static final long MAX_PARK_NANOS = 1_000_000;
    private static final int SPINS = 200;
    private static final int YIELDS = 20;
    private static final long MIN_PARK_NANOS = 10_000;

    private int step;

    void idle() {
        if (step < SPINS) {
            Thread.onSpinWait();
        } else if (step < SPINS + YIELDS) {
            Thread.yield();
        } else {
            int doublings = Math.min(step - SPINS - YIELDS, 10);
            LockSupport.parkNanos(Math.min(MAX_PARK_NANOS, MIN_PARK_NANOS << doublings));
        }
        step++;
    }

    /** Whether the waiter has left the spinning phase (the time to look for dead peers). */
    boolean parking() {
        return step >= SPINS + YIELDS;
    }
}
