package dev.procshare.manager;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A cyclic barrier held by a manager, Python's {@code Manager().Barrier(n)}, with
 * {@link java.util.concurrent.CyclicBarrier}'s rules: a party that times out or is interrupted breaks it for
 * the others, and so does a party whose process dies while waiting.
 */
public interface ManagedBarrier {
    /** Waits for all parties; returns this party's arrival index ({@code parties - 1} first, 0 last). */
    int await() throws InterruptedException, BrokenBarrierException;

    int await(long timeout, TimeUnit unit) throws InterruptedException, BrokenBarrierException, TimeoutException;

    int getParties();

    int getNumberWaiting();

    boolean isBroken();

    void reset();
}
