package dev.procshare.memory;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A non-reentrant process-shared mutex for code inside this package: an {@link OwnerWord} at a fixed
 * offset of a segment, plus this JVM's {@link ReentrantLock} in front of it (the word names a process, not
 * a thread). One per word per JVM ({@link Segment#local}). A dead holder is taken over as by
 * {@link SharedLock}.
 */
final class WordLock {
    private final int offset;
    private final ReentrantLock threads = new ReentrantLock();

    WordLock(int offset) {
        this.offset = offset;
    }

    /**
     * Takes the lock, waiting until {@code deadline} ({@code System.nanoTime()}, {@code Long.MAX_VALUE} for
     * none); false if it passed.
     */
    boolean lock(ByteBuffer b, long deadline) throws InterruptedException {
        if (deadline == Long.MAX_VALUE) {
            threads.lockInterruptibly();
        } else if (!threads.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return false;
        }
        try {
            if (OwnerWord.acquire(b, offset, deadline, true) == OwnerWord.Result.TIMED_OUT) {
                threads.unlock();
                return false;
            }
            return true;
        } catch (InterruptedException | RuntimeException | Error e) {
            threads.unlock();
            throw e;
        }
    }

    /** Takes the lock, waiting as long as a live holder keeps it; interrupts are not noticed. */
    void lockUninterruptibly(ByteBuffer b) {
        threads.lock();
        acquireWordUninterruptibly(b, Long.MAX_VALUE);
    }

    /** The word, this thread holding {@code threads}, which is let go if the word is not taken. */
    private OwnerWord.Result acquireWordUninterruptibly(ByteBuffer b, long deadline) {
        try {
            return OwnerWord.acquire(b, offset, deadline, false);
        } catch (InterruptedException e) {
            threads.unlock();
            throw new AssertionError("uninterruptible wait interrupted", e);
        } catch (RuntimeException | Error e) {
            threads.unlock();
            throw e;
        }
    }

    /**
     * Takes the lock, ignoring interrupts (the status is kept for the caller); throws if a live holder keeps
     * it for more than {@code patienceMillis}, for code that must not wait on another process's whim.
     *
     * @throws SharedMemoryException naming {@code what} and the holder, then
     */
    void lockWithin(ByteBuffer b, long patienceMillis, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(patienceMillis);
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    if (threads.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        break;
                    }
                    throw stuck(b, patienceMillis, what);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (acquireWordUninterruptibly(b, deadline) == OwnerWord.Result.TIMED_OUT) {
                threads.unlock();
                throw stuck(b, patienceMillis, what);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private SharedMemoryException stuck(ByteBuffer b, long patienceMillis, String what) {
        long holder = OwnerWord.holder(b, offset);
        String who = holder == 0 || holder == ProcessIdentity.token() ? "another thread of this process"
                : "live process " + ProcessIdentity.pidOf(holder);
        return new SharedMemoryException(what + " has been busy for more than " + patienceMillis + " ms: " + who
                + " is inside an operation and neither finishes nor dies");
    }

    /** Releases the lock, which the calling thread holds. */
    void unlock(ByteBuffer b, String what) {
        try {
            if (!OwnerWord.release(b, offset)) {
                throw new IllegalStateException(what + ": its owner word no longer names this process");
            }
        } finally {
            threads.unlock();
        }
    }
}
