package dev.procshare.process;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * Pre-started JVMs for {@code warm(true)} starts, the analogue of Python's forkserver. Each is a JVM launched
 * with the default options that has been told nothing yet: it boots, loads what a job needs, and waits for
 * its launch record on standard input. Taking one writes that record (the job, and the inherited context as
 * it is now) into its pipe: it costs a write, never a wait, even while that JVM is still booting, so a warm
 * start is never behind a cold one. Such a JVM then runs exactly as a cold one-shot child: no socket, and
 * nothing more to pay than a cold child pays.
 *
 * <p>They never outlive this JVM: one that was never taken reads end-of-file when this JVM dies and exits,
 * and the control server's shutdown hook kills them on a normal exit.
 */
final class WarmJvms {
    private static final Object LOCK = new Object();
    /** Launched and not yet taken, oldest first, with the time each was launched. */
    private static final Deque<Spare> IDLE = new ArrayDeque<>();
    private static int target = Integer.getInteger("procshare.warm.size", 1);
    private static int starting;
    private static final long REFILL_DELAY_MILLIS = 100;
    /**
     * A JVM taken younger than this was most likely still booting: starts come in a row, and its replacement
     * is launched at once instead of after the taken one's job (see {@link #take}).
     */
    private static final long BACK_TO_BACK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Whether warm starts were asked for at all: until then no JVM is pre-started. */
    private static boolean active;

    private record Spare(Process process, long launchedAt) {
    }

    private WarmJvms() {
    }

    /** Keeps {@code count} pre-started JVMs from now on (0 stops keeping any). */
    static void keep(int count) {
        synchronized (LOCK) {
            active = true;
            target = Math.max(0, count);
            while (IDLE.size() > target) {
                stop(IDLE.pollLast());
            }
        }
        refill();
    }

    /**
     * A pre-started JVM, or null if none is left (the caller then starts one cold). Its replacement starts
     * when the taken JVM exits, or {@link #REFILL_DELAY_MILLIS} later at the latest: a JVM start takes both
     * cores here for ~50 ms, and started at once it slowed the very job it replaces (warm start + join went
     * from 11-13 ms to 8-9 ms with the replacement deferred, measured alone). When the taken JVM was itself
     * launched moments ago, starts are coming back to back and that job would wait for its own boot anyway:
     * the replacement is launched at once, so that it boots while the job runs.
     */
    static Process take() {
        Spare spare;
        synchronized (LOCK) {
            active = true;
            while ((spare = IDLE.pollFirst()) != null && !spare.process().isAlive()) {
                stop(spare); // died before it was taken (killed from outside): its pipes are closed here
            }
        }
        if (spare == null || System.nanoTime() - spare.launchedAt() < BACK_TO_BACK_NANOS) {
            refill();
        } else {
            // onExit() makes a new future on each call: completing this one early touches nobody else's.
            spare.process().onExit().completeOnTimeout(null, REFILL_DELAY_MILLIS, TimeUnit.MILLISECONDS)
                    .thenRun(WarmJvms::refill);
        }
        return spare == null ? null : spare.process();
    }

    /** How many pre-started JVMs are waiting now (for tests and diagnostics). */
    static int idleCount() {
        synchronized (LOCK) {
            return IDLE.size();
        }
    }

    private static void refill() {
        synchronized (LOCK) {
            while (IDLE.size() + starting < target) {
                starting++;
                // ProcessBuilder.start takes a few ms: not on the thread of the start() that took a JVM
                Thread t = new Thread(WarmJvms::startOne, "procshare-warm-start");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void startOne() {
        Process process = null;
        try {
            process = Launcher.prelaunch(Launcher.Spec.defaults());
        } catch (RuntimeException e) {
            // a warm JVM is an optimisation: start() falls back to a cold start
        } finally {
            synchronized (LOCK) {
                starting--;
                if (process != null && IDLE.size() < target) {
                    IDLE.addLast(new Spare(process, System.nanoTime()));
                    process = null;
                }
            }
            if (process != null) {
                process.destroyForcibly();
            }
        }
    }

    /** At exit (the control server's shutdown hook). */
    static void stopAll() {
        synchronized (LOCK) {
            target = 0;
            IDLE.forEach(WarmJvms::stop);
            IDLE.clear();
        }
    }

    private static void stop(Spare spare) {
        Process process = spare.process();
        process.destroyForcibly();
        try {
            process.getOutputStream().close();
        } catch (java.io.IOException ignored) {
            // already closed
        }
    }
}
