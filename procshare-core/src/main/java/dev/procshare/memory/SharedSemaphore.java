package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore shared by processes, with {@link java.util.concurrent.Semaphore}'s methods; Python's
 * {@code multiprocessing.Semaphore}, and {@code BoundedSemaphore} when created {@link #createBounded bounded}.
 *
 * <p><b>Two kinds.</b> {@link #create} and {@link #createBounded} make a plain counting semaphore: any process
 * may release, so it also serves for signalling (producers release, consumers acquire). If a process dies
 * holding permits, they stay taken. {@link #createRobust} makes a semaphore for guarding a pool of resources,
 * where each process releases only what it acquired: it remembers how many permits each process holds (for
 * up to {@value #TRACKED_PROCESSES} processes at once; beyond that, permits are counted but not tracked), and
 * returns the permits of a process that dies once a waiter notices (within a few milliseconds of waiting);
 * {@link #reclaimedPermits()} counts them.
 *
 * <p><b>Consistency.</b> The state is changed under a short robust guard, and every acquire or release is a
 * single store to shared memory, so a process killed at any instant leaves the count consistent.
 *
 * <p><b>Memory semantics.</b> A {@code release()} happens-before the {@code acquire()} that takes its permit,
 * in whatever process. Waiting spins briefly, then parks in steps of up to 1 ms.
 */
public final class SharedSemaphore implements SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;

    static final int HOLDER_BLOCKS = 16;
    /** Processes whose held permits a robust semaphore tracks at once. */
    public static final int TRACKED_PROCESSES = HOLDER_BLOCKS * Slot.BLOCK / 16;

    // Offsets in the first block; the guard's own recovery counter sits at 8.
    private static final int GUARD = 0;
    private static final int BASE = 16;
    private static final int BOUND = 24;
    private static final int UNTRACKED = 32;
    private static final int RECLAIMED = 40;
    private static final int ROBUST = 48;
    private static final int ENTRIES = Slot.BLOCK;
    /** How long a "now" operation waits for the guard, which is normally held for nanoseconds. */
    private static final long GUARD_PATIENCE_NANOS = 10_000_000;

    private final transient Slot slot;

    SharedSemaphore(Slot slot) {
        this.slot = slot;
    }

    /** A plain semaphore with {@code permits} permits, which {@link #release()} may raise without limit. */
    public static SharedSemaphore create(int permits) {
        return create(permits, false, false);
    }

    /**
     * A plain semaphore that never holds more than {@code permits} permits: a {@link #release()} beyond that
     * throws {@link IllegalStateException}, like Python's {@code BoundedSemaphore} raising {@code ValueError}.
     */
    public static SharedSemaphore createBounded(int permits) {
        return create(permits, true, false);
    }

    /**
     * A semaphore whose permits come back when the process holding them dies. A process may release only
     * permits it holds ({@link #release} beyond that throws {@link IllegalStateException}).
     */
    public static SharedSemaphore createRobust(int permits) {
        return create(permits, true, true);
    }

    private static SharedSemaphore create(int permits, boolean bounded, boolean robust) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be >= 0, not " + permits);
        }
        Slot slot = Slabs.allocate(Segments.defaultDirectory(), SlotType.SEMAPHORE);
        ByteBuffer b = slot.buffer();
        Slot.LONGS.setVolatile(b, slot.offset + BASE, (long) permits);
        Slot.LONGS.setVolatile(b, slot.offset + BOUND, bounded ? (long) permits : -1L);
        Slot.LONGS.setVolatile(b, slot.offset + ROBUST, robust ? 1L : 0L);
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
        try {
            return withGuard(System.nanoTime() + GUARD_PATIENCE_NANOS, false, b -> take(b, permits, Set.of()));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
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
            Set<Long> dead = Set.of();
            if (backoff.parking() && now - lastReclaim >= OwnerWord.LIVENESS_CHECK_NANOS) {
                lastReclaim = now;
                dead = deadHolders(); // looked up outside the guard: /proc reads are slow
            }
            Set<Long> reclaim = dead;
            if (withGuard(deadline, interruptible, b -> take(b, permits, reclaim))) {
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

    /** Under the guard: takes {@code permits} if available, first returning the permits of {@code dead}. */
    private boolean take(ByteBuffer b, int permits, Set<Long> dead) {
        if (!dead.isEmpty()) {
            reclaim(b, dead);
        }
        if (available(b) < permits) {
            return false;
        }
        if (!robust(b)) {
            Slot.LONGS.getAndAdd(b, slot.offset + BASE, (long) -permits);
            return true;
        }
        int entry = entryOf(b, true);
        Slot.LONGS.getAndAdd(b, entry < 0 ? slot.offset + UNTRACKED : entry + 8, (long) permits);
        return true;
    }

    private boolean robust(ByteBuffer b) {
        return (long) Slot.LONGS.getVolatile(b, slot.offset + ROBUST) != 0;
    }

    public void release() {
        release(1);
    }

    /**
     * Returns {@code permits} permits. On a plain semaphore any process may release (as with
     * {@code java.util.concurrent.Semaphore}); a bounded one refuses to exceed its bound. On a robust one a
     * process releases only permits it holds.
     *
     * @throws IllegalStateException past the bound, or for permits a robust semaphore's caller does not hold
     */
    public void release(int permits) {
        checkPermits(permits);
        String[] refusal = new String[1];
        try {
            withGuard(Long.MAX_VALUE, false, b -> {
                long bound = (long) Slot.LONGS.getVolatile(b, slot.offset + BOUND);
                long available = available(b);
                if (robust(b)) {
                    int entry = entryOf(b, false);
                    int counter = entry >= 0 ? entry + 8 : slot.offset + UNTRACKED;
                    long held = (long) Slot.LONGS.getVolatile(b, counter);
                    if (held < permits) {
                        refusal[0] = "robust semaphore: this process holds " + held + " permits, cannot release "
                                + permits;
                    } else {
                        Slot.LONGS.setVolatile(b, counter, held - permits); // the one store
                    }
                } else if (bound >= 0 && available + permits > bound) {
                    refusal[0] = "semaphore released too many times: bound is " + bound;
                } else if (available + permits > Integer.MAX_VALUE) {
                    refusal[0] = "maximum permit count exceeded";
                } else {
                    Slot.LONGS.getAndAdd(b, slot.offset + BASE, (long) permits);
                }
                return true;
            });
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        if (refusal[0] != null) {
            throw new IllegalStateException(refusal[0]);
        }
    }

    /** Permits available now (a snapshot). */
    public int availablePermits() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, available(slot.buffer())));
    }

    /** Takes every permit available now and returns how many. */
    public int drainPermits() {
        int[] drained = new int[1];
        try {
            withGuard(System.nanoTime() + GUARD_PATIENCE_NANOS, false, b -> {
                drained[0] = (int) Math.min(Integer.MAX_VALUE, Math.max(0, available(b)));
                return drained[0] == 0 || take(b, drained[0], Set.of());
            });
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
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

    /** Tokens of holder entries whose process is dead; read without the guard (entries of the dead are frozen). */
    private Set<Long> deadHolders() {
        ByteBuffer b = slot.buffer();
        Set<Long> dead = new HashSet<>();
        if (!robust(b)) {
            return dead;
        }
        for (int i = 0; i < TRACKED_PROCESSES; i++) {
            long token = (long) Slot.LONGS.getVolatile(b, entry(i));
            if (token != 0 && (long) Slot.LONGS.getVolatile(b, entry(i) + 8) > 0 && !ProcessIdentity.isAlive(token)) {
                dead.add(token);
            }
        }
        return dead;
    }

    /** Under the guard: one store per dead entry returns its permits (available = base minus what is held). */
    private void reclaim(ByteBuffer b, Set<Long> dead) {
        for (int i = 0; i < TRACKED_PROCESSES; i++) {
            long token = (long) Slot.LONGS.getVolatile(b, entry(i));
            long held = (long) Slot.LONGS.getVolatile(b, entry(i) + 8);
            if (held > 0 && dead.contains(token)) {
                Slot.LONGS.setVolatile(b, entry(i) + 8, 0L);
                Slot.LONGS.getAndAdd(b, slot.offset + RECLAIMED, held);
            }
        }
    }

    private interface GuardedAction {
        boolean run(ByteBuffer b);
    }

    /** Runs {@code action} under the guard; false if the guard could not be had by {@code deadline}. */
    private boolean withGuard(long deadline, boolean interruptible, GuardedAction action) throws InterruptedException {
        ByteBuffer b = slot.buffer();
        if (OwnerWord.acquire(b, slot.offset + GUARD, deadline, interruptible) == OwnerWord.Result.TIMED_OUT) {
            return false;
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

    /** The handle that travels in this one's place: what serializing this writes, too. */
    @Override
    public Portable portable() {
        slot.buffer();
        return slot.handle();
    }

    @Serial
    private Object writeReplace() {
        return portable();
    }

    @Override
    public String toString() {
        return "SharedSemaphore[" + (slot.isClosed() ? "" : "permits=" + availablePermits() + ", ")
                + slot.describe() + "]";
    }
}
