package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;
import java.util.concurrent.TimeUnit;

/**
 * A flag that processes wait on: Python's {@code multiprocessing.Event}. {@link #set()} wakes every waiter
 * in every process; {@link #clear()} makes later waits block again.
 *
 * <p><b>Waiting.</b> A waiter spins for a few microseconds, then parks in growing steps of up to 1 ms: a
 * long wait costs no CPU, and returns within about a millisecond of {@code set()}.
 *
 * <p><b>Memory semantics.</b> Everything the setter wrote before {@code set()} is visible to a waiter once its
 * wait returns {@code true}. If the process that would set the event dies, waiters are not told: wait with a
 * timeout when that matters.
 */
public final class SharedEvent implements SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Slot slot;

    SharedEvent(Slot slot) {
        this.slot = slot;
    }

    /** A new event, not set, owned by this process. */
    public static SharedEvent create() {
        return new SharedEvent(Slabs.allocate(Segments.defaultDirectory(), SlotType.EVENT));
    }

    public void set() {
        Slot.INTS.setVolatile(slot.buffer(), slot.offset, 1);
    }

    public void clear() {
        Slot.INTS.setVolatile(slot.buffer(), slot.offset, 0);
    }

    public boolean isSet() {
        return (int) Slot.INTS.getVolatile(slot.buffer(), slot.offset) != 0;
    }

    /** Waits until the event is set. */
    public void await() throws InterruptedException {
        await(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /**
     * Waits until the event is set or the timeout passes; returns whether it is set (Python's
     * {@code wait(timeout)}).
     */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        if (isSet()) {
            return true;
        }
        long deadline = timeout == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + unit.toNanos(timeout);
        Backoff backoff = new Backoff();
        while (!isSet()) {
            if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0) {
                return false;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            backoff.idle();
        }
        return true;
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
        return "SharedEvent[" + (slot.isClosed() ? "" : (isSet() ? "set, " : "clear, ")) + slot.describe() + "]";
    }
}
