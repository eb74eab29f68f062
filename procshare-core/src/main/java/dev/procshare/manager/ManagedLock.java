package dev.procshare.manager;

import java.util.concurrent.locks.Lock;

/**
 * A lock held by a manager, Python's {@code Manager().Lock()} / {@code RLock()}, as a {@link Lock}: the owner
 * is one thread of one process, and only the owner may unlock. Waiting happens on the server; an interrupt
 * of the waiting thread cancels the wait there ({@link #lockInterruptibly}, {@link #tryLock(long,
 * java.util.concurrent.TimeUnit)}).
 *
 * <p>If the owning process dies or disconnects, the server releases the lock and the next owner's
 * {@link #previousOwnerDied()} is true: the state the lock protected may be half changed. If the server dies,
 * calls fail with {@link ManagerUnavailableException}.
 */
public interface ManagedLock extends Lock {
    /** Whether this thread's last acquisition took the lock over from an owner that had died. */
    boolean previousOwnerDied();

    boolean isHeldByCurrentThread();

    boolean isLocked();

    /** This thread's holds (0, or more than 1 for a reentrant lock taken again). */
    int getHoldCount();
}
