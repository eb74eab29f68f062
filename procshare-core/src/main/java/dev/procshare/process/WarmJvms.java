package dev.procshare.process;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * Pre-started idle JVMs, connected and waiting for a job: the analogue of Python's forkserver. Taking one
 * makes {@code start()} cost a message instead of a JVM start; a replacement starts in the background.
 * Idle JVMs use the default launch options and watch this JVM like any child, so they never outlive it;
 * the control server's shutdown hook stops them.
 */
final class WarmJvms {
    private static final Object LOCK = new Object();
    private static final Deque<ChildConnection> IDLE = new ArrayDeque<>();
    private static int target = Integer.getInteger("procshare.warm.size", 1);
    private static int starting;
    private static final long REFILL_DELAY_MILLIS = 100;
    /** Whether warm starts were asked for at all: until then no idle JVM is started. */
    private static boolean active;

    private WarmJvms() {
    }

    /** Keeps {@code count} idle JVMs ready from now on (0 stops keeping any). */
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
     * An idle JVM, or null if none is ready (the caller then starts one cold). A replacement starts when the
     * taken JVM exits, or {@link #REFILL_DELAY_MILLIS} later at the latest: a JVM start takes both cores here for
     * ~50 ms, and started at once it slowed the very job it replaces (warm start + join went from 11-13 ms to
     * 8-9 ms with the replacement deferred, measured alone).
     */
    static ChildConnection take() {
        ChildConnection child;
        synchronized (LOCK) {
            active = true;
            while ((child = IDLE.pollFirst()) != null && !child.process.isAlive()) {
                child.close();
            }
        }
        if (child == null) {
            refill();
        } else {
            // onExit() makes a new future on each call: completing this one early touches nobody else's.
            child.process.onExit().completeOnTimeout(null, REFILL_DELAY_MILLIS, TimeUnit.MILLISECONDS)
                    .thenRun(WarmJvms::refill);
        }
        return child;
    }

    /** How many idle JVMs are ready now (for tests and diagnostics). */
    static int idleCount() {
        synchronized (LOCK) {
            return IDLE.size();
        }
    }

    private static void refill() {
        synchronized (LOCK) {
            while (IDLE.size() + starting < target) {
                starting++;
                Thread t = new Thread(WarmJvms::startOne, "procshare-warm-start");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void startOne() {
        ChildConnection child = null;
        try {
            child = Launcher.launch(Launcher.Spec.defaults());
        } catch (RuntimeException e) {
            // a warm JVM is an optimisation: start() falls back to a cold start
        } finally {
            synchronized (LOCK) {
                starting--;
                if (child != null) {
                    if (IDLE.size() < target) {
                        IDLE.addLast(child);
                        child = null;
                    }
                }
            }
            if (child != null) {
                stop(child);
            }
        }
    }

    /** Replaces the idle JVMs (they carry the inherited context of their launch, which just changed). */
    static void invalidate() {
        synchronized (LOCK) {
            IDLE.forEach(WarmJvms::stop);
            IDLE.clear();
        }
        if (active) {
            refill();
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

    private static void stop(ChildConnection child) {
        child.kill();
    }
}
