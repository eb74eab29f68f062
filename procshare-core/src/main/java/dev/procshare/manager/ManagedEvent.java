package dev.procshare.manager;

import java.util.concurrent.TimeUnit;

/** A flag held by a manager that processes wait for, Python's {@code Manager().Event()}. */
public interface ManagedEvent {
    /** Sets the flag and wakes every waiter, in every process. */
    void set();

    void clear();

    boolean isSet();

    /** Waits until the flag is set. */
    void await() throws InterruptedException;

    /** Waits at most {@code timeout} for the flag; returns whether it is set. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException;
}
