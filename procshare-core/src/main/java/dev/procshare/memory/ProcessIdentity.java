package dev.procshare.memory;

import java.time.Instant;
import java.util.Optional;

/**
 * Names a process in a way that survives pid reuse: the pid plus a hash of its start time, packed in one
 * {@code long} so that it fits a single compare-and-set word in shared memory.
 */
final class ProcessIdentity {
    private static final long SELF_PID = ProcessHandle.current().pid();
    private static final long SELF_START = startMillis(ProcessHandle.current());
    private static final long SELF_TOKEN = token(SELF_PID, SELF_START);

    private ProcessIdentity() {
    }

    static long pid() {
        return SELF_PID;
    }

    /** This process's start time in epoch milliseconds, or 0 where the OS does not say. */
    static long startMillis() {
        return SELF_START;
    }

    /** This process's token; never 0, so 0 can mean "nobody". */
    static long token() {
        return SELF_TOKEN;
    }

    static long pidOf(long token) {
        return token >>> 32;
    }

    static long token(long pid, long startMillis) {
        return (pid << 32) | (startHash(startMillis) & 0xFFFF_FFFFL);
    }

    /**
     * Whether the process a token names is still running. A pid now used by a process that started at
     * another time counts as dead. Costs a look into {@code /proc}: call it while waiting, not per operation.
     */
    static boolean isAlive(long token) {
        if (token == SELF_TOKEN) {
            return true;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pidOf(token));
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        long start = startMillis(handle.get());
        // Without a start time we cannot tell reuse apart, so a live pid counts as the same process.
        return start == 0 || (int) token == startHash(start);
    }

    /** Whether a process with this pid and start time (0: unknown) is running. */
    static boolean isAlive(long pid, long startMillis) {
        if (pid <= 0) {
            return false;
        }
        if (startMillis == 0) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        return isAlive(token(pid, startMillis));
    }

    private static long startMillis(ProcessHandle handle) {
        return handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    private static int startHash(long startMillis) {
        // Start times come from tick counts; round to 10 ms so two readers agree on the same process.
        long t = startMillis / 10;
        return (int) (t ^ (t >>> 32)) | 1;
    }
}
