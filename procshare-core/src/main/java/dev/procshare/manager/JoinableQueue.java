package dev.procshare.manager;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A manager queue that counts unfinished tasks, Python's {@code Manager().JoinableQueue()}: every item put
 * adds one, every {@link #taskDone()} removes one, and {@link #join()} waits, in any process, until the count
 * is zero.
 *
 * <p><b>Across processes.</b> The count lives on the server, so {@code taskDone()} in one process releases a
 * {@code join()} in another. An item removed without being taken ({@link #remove}, {@link #clear}) counts as
 * done.
 *
 * <p><b>A consumer that dies.</b> The server remembers which items each client process has taken and not yet
 * marked done ({@code taskDone()} marks that process's oldest such item). If the process ends before marking
 * them, those items go back to the head of the queue for another consumer, so a {@code join()} is not left
 * waiting for work nobody will finish. Processing is therefore at least once: a consumer killed after doing
 * the work but before {@code taskDone()} has its item processed again.
 */
public interface JoinableQueue<E> extends BlockingQueue<E> {
    /**
     * Marks one task as finished (Python's {@code task_done()}).
     *
     * @throws IllegalStateException if it is called more times than items were put
     */
    void taskDone();

    /** Waits until every item put has been marked done (Python's {@code join()}). */
    void join() throws InterruptedException;

    /** Waits at most {@code timeout} for every item put to be marked done; returns whether they were. */
    boolean join(long timeout, TimeUnit unit) throws InterruptedException;

    /** Items put and not yet marked done, in every process. */
    long unfinishedTasks();
}
