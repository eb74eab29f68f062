package dev.procshare.memory;

import java.nio.ByteBuffer;

/**
 * A robust process-level mutex in one {@code long} of shared memory: 0 when free, else the holder's
 * {@link ProcessIdentity#token()}. A waiter that finds the holder dead (checked every
 * {@value #LIVENESS_CHECK_NANOS} ns of waiting) takes the word over by compare-and-set, so a process killed
 * while holding it delays the others by milliseconds, not forever. The {@code long} after the word counts
 * such take-overs.
 */
final class OwnerWord {
    static final long LIVENESS_CHECK_NANOS = 5_000_000;
    /** Offset of the take-over counter relative to the word. */
    static final int RECOVERIES = 8;

    enum Result { ACQUIRED, RECOVERED, TIMED_OUT }

    private OwnerWord() {
    }

    static boolean tryAcquire(ByteBuffer buffer, int offset) {
        return Slot.LONGS.compareAndSet(buffer, offset, 0L, ProcessIdentity.token());
    }

    /**
     * Acquires the word for this process.
     *
     * @param deadline a {@link System#nanoTime()} deadline, or {@code Long.MAX_VALUE} for none
     * @throws InterruptedException only if {@code interruptible} and the thread is interrupted
     */
    static Result acquire(ByteBuffer buffer, int offset, long deadline, boolean interruptible)
            throws InterruptedException {
        long me = ProcessIdentity.token();
        Backoff backoff = new Backoff();
        long lastCheck = System.nanoTime();
        for (;;) {
            long holder = (long) Slot.LONGS.getVolatile(buffer, offset);
            if (holder == 0) {
                if (Slot.LONGS.compareAndSet(buffer, offset, 0L, me)) {
                    return Result.ACQUIRED;
                }
                continue;
            }
            long now = System.nanoTime();
            if (backoff.parking() && now - lastCheck >= LIVENESS_CHECK_NANOS) {
                lastCheck = now;
                if (holder != me && !ProcessIdentity.isAlive(holder)
                        && Slot.LONGS.compareAndSet(buffer, offset, holder, me)) {
                    Slot.LONGS.getAndAdd(buffer, offset + RECOVERIES, 1L);
                    return Result.RECOVERED;
                }
            }
            if (deadline != Long.MAX_VALUE && now - deadline >= 0) {
                return Result.TIMED_OUT;
            }
            if (interruptible && Thread.interrupted()) {
                throw new InterruptedException();
            }
            backoff.idle();
        }
    }

    /** Frees the word if this process holds it; returns false if it did not. */
    static boolean release(ByteBuffer buffer, int offset) {
        return Slot.LONGS.compareAndSet(buffer, offset, ProcessIdentity.token(), 0L);
    }

    static long holder(ByteBuffer buffer, int offset) {
        return (long) Slot.LONGS.getVolatile(buffer, offset);
    }

    static long recoveries(ByteBuffer buffer, int offset) {
        return (long) Slot.LONGS.getVolatile(buffer, offset + RECOVERIES);
    }
}
