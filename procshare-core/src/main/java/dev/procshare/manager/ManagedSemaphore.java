package dev.procshare.manager;

import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore held by a manager, Python's {@code Manager().Semaphore()} / {@code BoundedSemaphore()},
 * with {@link java.util.concurrent.Semaphore}'s methods. Permits are not owned: any process may release. A
 * bounded semaphore refuses a release above its initial count. Permits taken by a process that dies or
 * disconnects without releasing them are returned.
 */
public interface ManagedSemaphore {
    void acquire() throws InterruptedException;

    void acquire(int permits) throws InterruptedException;

    boolean tryAcquire();

    boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException;

    boolean tryAcquire(int permits, long timeout, TimeUnit unit) throws InterruptedException;

    void release();

    void release(int permits);

    int availablePermits();
}
