package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A mutual-exclusion lock shared by processes: a {@link Lock} whose holder excludes every thread of every
 * process that holds a handle to it. It is reentrant, like {@link ReentrantLock} (Python's {@code Lock} is not,
 * its {@code RLock} is: this one serves for both). Use it where several shared values must change together;
 * a single value needs no lock ({@link SharedLong#updateAndGet} is atomic).
 *
 * <p><b>Waiting.</b> Threads of one process queue on a local {@code ReentrantLock}; one of them at a time
 * competes for the shared word. A waiter spins briefly, then parks in growing steps of up to 1 ms, so a
 * long wait costs no CPU but may see the release up to about a millisecond late.
 *
 * <p><b>Memory semantics.</b> As for any {@code Lock}: everything a holder wrote before {@link #unlock()} is
 * visible to the next holder, in whatever process, after its {@link #lock()}.
 *
 * <p><b>When the holder dies.</b> The holder's pid and start time are in the lock word. A waiter that finds
 * the holder dead (checked every few milliseconds of waiting) takes the lock over: {@code lock()} returns
 * normally and {@link #previousOwnerDied()} tells the new holder that the data the lock guards may be half
 * updated (POSIX calls this {@code EOWNERDEAD}). {@link #recoveries()} counts such take-overs.
 */
public final class SharedLock implements Lock, SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Slot slot;
    private final transient Local local;

    /** This JVM's part of the lock, one per lock per JVM whatever the number of handles. */
    private static final class Local {
        final ReentrantLock threads = new ReentrantLock();
        /** Written only by the thread that holds {@link #threads}. */
        boolean recoveredHold;
    }

    SharedLock(Slot slot) {
        this.slot = slot;
        this.local = slot.segment.local(slot.offset, Local::new);
    }

    /** A new unlocked lock, owned by this process. */
    public static SharedLock create() {
        return new SharedLock(Slabs.allocate(Segments.defaultDirectory(), SlotType.LOCK));
    }

    @Override
    public void lock() {
        local.threads.lock();
        try {
            if (local.threads.getHoldCount() == 1) {
                record(OwnerWord.acquire(slot.buffer(), slot.offset, Long.MAX_VALUE, false));
            }
        } catch (InterruptedException e) {
            throw new AssertionError("uninterruptible wait interrupted", e);
        } catch (RuntimeException | Error e) {
            local.threads.unlock();
            throw e;
        }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        local.threads.lockInterruptibly();
        try {
            if (local.threads.getHoldCount() == 1) {
                record(OwnerWord.acquire(slot.buffer(), slot.offset, Long.MAX_VALUE, true));
            }
        } catch (InterruptedException | RuntimeException | Error e) {
            local.threads.unlock();
            throw e;
        }
    }

    /** Takes the lock if no thread of any process holds it; never waits (a dead holder is not detected here). */
    @Override
    public boolean tryLock() {
        if (!local.threads.tryLock()) {
            return false;
        }
        if (local.threads.getHoldCount() > 1) {
            return true;
        }
        boolean acquired;
        try {
            acquired = OwnerWord.tryAcquire(slot.buffer(), slot.offset);
        } catch (RuntimeException | Error e) {
            local.threads.unlock();
            throw e;
        }
        if (acquired) {
            local.recoveredHold = false;
        } else {
            local.threads.unlock();
        }
        return acquired;
    }

    /** Waits up to {@code time} for the lock, taking it over if its holder died. */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(time);
        if (!local.threads.tryLock(time, unit)) {
            return false;
        }
        if (local.threads.getHoldCount() > 1) {
            return true;
        }
        try {
            OwnerWord.Result result = OwnerWord.acquire(slot.buffer(), slot.offset, deadline, true);
            if (result == OwnerWord.Result.TIMED_OUT) {
                local.threads.unlock();
                return false;
            }
            record(result);
            return true;
        } catch (InterruptedException | RuntimeException | Error e) {
            local.threads.unlock();
            throw e;
        }
    }

    private void record(OwnerWord.Result result) {
        local.recoveredHold = result == OwnerWord.Result.RECOVERED;
    }

    /**
     * Releases one hold; the last one frees the lock for other processes.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     */
    @Override
    public void unlock() {
        if (!local.threads.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("SharedLock is not held by thread " + Thread.currentThread().getName());
        }
        try {
            if (local.threads.getHoldCount() == 1) {
                local.recoveredHold = false;
                if (!OwnerWord.release(slot.buffer(), slot.offset)) {
                    throw new IllegalMonitorStateException("SharedLock word no longer names this process");
                }
            }
        } finally {
            local.threads.unlock();
        }
    }

    /**
     * Whether the current thread's hold was taken over from a process that died holding the lock. The
     * state the lock protects may be inconsistent; repair it before unlocking. False when not held.
     */
    public boolean previousOwnerDied() {
        return local.threads.isHeldByCurrentThread() && local.recoveredHold;
    }

    /** How many times, since creation, a process took this lock over from a dead holder. */
    public long recoveries() {
        return OwnerWord.recoveries(slot.buffer(), slot.offset);
    }

    /** Whether some thread of some process holds the lock now (a snapshot). */
    public boolean isLocked() {
        return OwnerWord.holder(slot.buffer(), slot.offset) != 0;
    }

    public boolean isHeldByCurrentThread() {
        return local.threads.isHeldByCurrentThread();
    }

    /** The pid of the process holding the lock now, if any (a snapshot). */
    public OptionalLong holderPid() {
        long holder = OwnerWord.holder(slot.buffer(), slot.offset);
        return holder == 0 ? OptionalLong.empty() : OptionalLong.of(ProcessIdentity.pidOf(holder));
    }

    /** Not supported across processes: use a {@link SharedEvent}, or a manager condition. */
    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException("SharedLock has no conditions: wait on a SharedEvent instead");
    }

    @Override
    public boolean isClosed() {
        return slot.isClosed();
    }

    /**
     * Closes the handle. If the calling thread holds the lock, it is released first (all holds), so that
     * closing never leaves other processes waiting on a live holder that can no longer unlock.
     */
    @Override
    public void close() {
        if (!slot.isClosed()) {
            while (local.threads.isHeldByCurrentThread()) {
                unlock();
            }
        }
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
        String state = slot.isClosed() ? "" : holderPid().stream().mapToObj(p -> "held by pid " + p + ", ")
                .findFirst().orElse("unlocked, ");
        return "SharedLock[" + state + slot.describe() + "]";
    }
}
