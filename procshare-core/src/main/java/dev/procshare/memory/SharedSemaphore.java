package dev.procshare.memory;

import java.io.Serial;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore shared by processes, with {@link java.util.concurrent.Semaphore}'s methods; Python's
 * {@code multiprocessing.Semaphore}, and {@code BoundedSemaphore} when created {@link #createBounded bounded}.
 *
 * <p><b>When a holder dies.</b> The semaphore remembers how many permits each process holds (for up to
 * {@value #TRACKED_PROCESSES} processes at once; beyond that, permits are counted but not tracked). Permits
 * held by a process that dies are returned once a waiter notices (within a few milliseconds of waiting);
 * {@link #reclaimedPermits()} counts them. Every change to the shared state is a single store, made under a
 * short robust guard, so a process killed at any instant leaves the count consistent.
 *
 * <p><b>Memory semantics.</b> A {@code release()} happens-before the {@code acquire()} that takes its permit,
 * in whatever process. Waiting spins briefly, then parks in steps of up to 1 ms.
 */
public final class SharedSemaphore implements SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;

    static final int HOLDER_BLOCKS = 16;
    /** Processes whose held permits are tracked at once. */
    public static final int TRACKED_PROCESSES = HOLDER_BLOCKS * Slot.BLOCK / 16;

    // Offsets in the first block; the guard's own recovery counter sits at 8.
    private static final int GUARD = 0;
    private static final int BASE = 16;
    private static final int BOUND = 24;
    private static final int UNTRACKED = 32;
    private static final int RECLAIMED = 40;
    private static final int ENTRIES = Slot.BLOCK;

    private final transient Slot slot;

    SharedSemaphore(Slot slot) {
        this.slot = slot;
    }

    /** A semaphore with {@code permits} permits, which {@link #release()} may raise without limit. */
    public static SharedSemaphore create(int permits) {
        return create(permits, false);
    }

    /**
     * A semaphore that never holds more than {@code permits} permits: a {@link #release()} beyond that throws
     * {@link IllegalStateException}, like Python's {@code BoundedSemaphore} raising {@code ValueError}.
     */
    public static SharedSemaphore createBounded(int permits) {
        return create(permits, true);
    }

    private static SharedSemaphore create(int permits, boolean bounded) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be >= 0, not " + permits);
        }
        Slot slot = Slabs.allocate(Segments.defaultDirectory(), SlotType.SEMAPHORE);
        ByteBuffer b = slot.buffer();
        Slot.LONGS.setVolatile(b, slot.offset + BASE, (long) permits);
        Slot.LONGS.setVolatile(b, slot.offset + BOUND, bounded ? (long) permits : -1L);
        return new SharedSemaphore(slot);
    }

    public void acquire() throws InterruptedException {
        acquire(1);
    }

    /** Waits until {@code permits} permits are available and takes them. */
    public void acquire(int permits) throws InterruptedException {
        acquire(permits, Long.MAX_VALUE, true);
    }

    /** Like {@link #acquire()} but not interruptible. */
    public void acquireUninterruptibly() {
        try {
            acquire(1, Long.MAX_VALUE, false);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Takes a permit if one is available now. */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    public boolean tryAcquire(int permits) {
        checkPermits(permits);
        return withGuard(b -> take(b, permits, false));
    }

    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        return tryAcquire(1, timeout, unit);
    }

    public boolean tryAcquire(int permits, long timeout, TimeUnit unit) throws InterruptedException {
        return acquire(permits, System.nanoTime() + unit.toNanos(timeout), true);
    }

    private boolean acquire(int permits, long deadline, boolean interruptible) throws InterruptedException {
        checkPermits(permits);
        Backoff backoff = new Backoff();
        long lastReclaim = System.nanoTime();
        for (;;) {
            long now = System.nanoTime();
            boolean reclaim = backoff.parking() && now - lastReclaim >= OwnerWord.LIVENESS_CHECK_NANOS;
            if (reclaim) {
                lastReclaim = now;
            }
            if (withGuard(b -> take(b, permits, reclaim))) {
                return true;
            }
            if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0) {
                return false;
            }
            if (interruptible && Thread.interrupted()) {
                throw new InterruptedException();
            }
            backoff.idle();
        }
    }

    /** Under the guard: takes {@code permits} if available, first returning dead holders' permits if asked. */
    private boolean take(ByteBuffer b, int permits, boolean reclaimDead) {
        if (reclaimDead) {
            reclaimDeadHolders(b);
        }
        if (available(b) < permits) {
            return false;
        }
        int entry = entryOf(b, true);
        if (entry < 0) {
            Slot.LONGS.getAndAdd(b, slot.offset + UNTRACKED, (long) permits);
        } else {
            Slot.LONGS.getAndAdd(b, entry + 8, (long) permits);
        }
        return true;
    }

    public void release() {
        release(1);
    }

    /**
     * Returns {@code permits} permits. A process may release permits it did not acquire (as with
     * {@code java.util.concurrent.Semaphore}); on a bounded semaphore the total may not exceed the bound.
     *
     * @throws IllegalStateException if a bounded semaphore would exceed its bound
     */
    public void release(int permits) {
        checkPermits(permits);
        boolean ok = withGuard(b -> {
            long bound = (long) Slot.LONGS.getVolatile(b, slot.offset + BOUND);
            if (bound >= 0 && available(b) + permits > bound) {
                return false;
            }
            long remaining = permits;
            int entry = entryOf(b, false);
            if (entry >= 0) {
                long held = (long) Slot.LONGS.getVolatile(b, entry + 8);
                long fromEntry = Math.min(held, remaining);
                Slot.LONGS.setVolatile(b, entry + 8, held - fromEntry);
                remaining -= fromEntry;
            }
            if (remaining > 0) {
                long untracked = (long) Slot.LONGS.getVolatile(b, slot.offset + UNTRACKED);
                long fromUntracked = Math.min(untracked, remaining);
                Slot.LONGS.setVolatile(b, slot.offset + UNTRACKED, untracked - fromUntracked);
                remaining -= fromUntracked;
            }
            if (remaining > 0) {
                Slot.LONGS.getAndAdd(b, slot.offset + BASE, remaining);
            }
            return true;
        });
        if (!ok) {
            throw new IllegalStateException("BoundedSemaphore released too many times: bound is "
                    + (long) Slot.LONGS.getVolatile(slot.buffer(), slot.offset + BOUND));
        }
    }

    /** Permits available now (a snapshot). */
    public int availablePermits() {
        ByteBuffer b = slot.buffer();
        return (int) Math.max(0, available(b));
    }

    /** Takes every permit available now and returns how many. */
    public int drainPermits() {
        int[] drained = new int[1];
        withGuard(b -> {
            long n = available(b);
            drained[0] = (int) Math.max(0, n);
            return n <= 0 || take(b, drained[0], false);
        });
        return drained[0];
    }

    /** Permits returned to the semaphore because the process holding them died. */
    public long reclaimedPermits() {
        return (long) Slot.LONGS.getVolatile(slot.buffer(), slot.offset + RECLAIMED);
    }

    private long available(ByteBuffer b) {
        long held = (long) Slot.LONGS.getVolatile(b, slot.offset + UNTRACKED);
        for (int i = 0; i < TRACKED_PROCESSES; i++) {
            held += (long) Slot.LONGS.getVolatile(b, entry(i) + 8);
        }
        return (long) Slot.LONGS.getVolatile(b, slot.offset + BASE) - held;
    }

    private int entry(int i) {
        return slot.offset + ENTRIES + i * 16;
    }

    /** This process's holder entry, claiming a free one if {@code claim}; -1 if none. */
    private int entryOf(ByteBuffer b, boolean claim) {
        long me = ProcessIdentity.token();
        int free = -1;
        for (int i = 0; i < TRACKED_PROCESSES; i++) {
            long token = (long) Slot.LONGS.getVolatile(b, entry(i));
            if (token == me) {
                return entry(i);
            }
            if (free < 0 && (token == 0 || (long) Slot.LONGS.getVolatile(b, entry(i) + 8) == 0)) {
                free = entry(i);
            }
        }
        if (claim && free >= 0) {
            // Count first at zero, then the token: a death in between leaves an empty, reusable entry.
            Slot.LONGS.setVolatile(b, free + 8, 0L);
            Slot.LONGS.setVolatile(b, free, me);
            return free;
        }
        return -1;
    }

    private void reclaimDeadHolders(ByteBuffer b) {
        for (int i = 0; i < TRACKED_PROCESSES; i++) {
            long token = (long) Slot.LONGS.getVolatile(b, entry(i));
            long held = (long) Slot.LONGS.getVolatile(b, entry(i) + 8);
            if (token != 0 && held > 0 && !ProcessIdentity.isAlive(token)) {
                // One store returns the permits: available() is base minus what entries hold.
                Slot.LONGS.setVolatile(b, entry(i) + 8, 0L);
                Slot.LONGS.getAndAdd(b, slot.offset + RECLAIMED, held);
            }
        }
    }

    private interface GuardedAction {
        boolean run(ByteBuffer b);
    }

    private boolean withGuard(GuardedAction action) {
        ByteBuffer b = slot.buffer();
        try {
            OwnerWord.acquire(b, slot.offset + GUARD, Long.MAX_VALUE, false);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        try {
            return action.run(b);
        } finally {
            OwnerWord.release(b, slot.offset + GUARD);
        }
    }

    private static void checkPermits(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be >= 0, not " + permits);
        }
    }

    @Override
    public boolean isClosed() {
        return slot.isClosed();
    }

    @Override
    public void close() {
        slot.close();
    }

    @Serial
    private Object writeReplace() {
        slot.buffer();
        return slot.handle();
    }

    @Override
    public String toString() {
        return "SharedSemaphore[" + (slot.isClosed() ? "" : "permits=" + availablePermits() + ", ")
                + slot.describe() + "]";
    }
}
