package dev.procshare.memory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Names a process in a way that survives pid reuse: the pid plus a hash of its start time, packed in one
 * {@code long} so that it fits a single compare-and-set word in shared memory.
 *
 * <p>On Linux the start time is field 22 of {@code /proc/PID/stat} (clock ticks since boot), which never
 * changes, unlike {@code ProcessHandle.Info.startInstant()}, which moves with wall-clock steps. A zombie
 * (killed but not yet reaped) counts as dead. Elsewhere the JDK's start instant is used.
 *
 * <p>Processes in another pid namespace (containers sharing {@code /dev/shm} but not pids) cannot be seen
 * and would count as dead: share the pid namespace too, or do not share locks across such containers.
 */
final class ProcessIdentity {
    private static final boolean PROC = Files.isReadable(Path.of("/proc/self/stat"));
    private static final long SELF_PID = ProcessHandle.current().pid();
    private static final long SELF_START = start(SELF_PID);
    private static final long SELF_TOKEN = token(SELF_PID, SELF_START);

    private ProcessIdentity() {
    }

    static long pid() {
        return SELF_PID;
    }

    /** This process's start time (ticks since boot on Linux, epoch ms elsewhere), or 0 if unknown. */
    static long start() {
        return SELF_START;
    }

    /** This process's token; never 0, so 0 can mean "nobody". */
    static long token() {
        return SELF_TOKEN;
    }

    static long pidOf(long token) {
        return token >>> 32;
    }

    static long token(long pid, long start) {
        return (pid << 32) | (startHash(start) & 0xFFFF_FFFFL);
    }

    /**
     * Whether the process a token names is still running. A pid now used by a process that started at
     * another time counts as dead. Costs a look into {@code /proc}: call it while waiting, not per operation.
     */
    static boolean isAlive(long token) {
        if (token == SELF_TOKEN) {
            return true;
        }
        long start = start(pidOf(token));
        // Without a start time we cannot tell reuse apart, so a live pid counts as the same process.
        return start == UNKNOWN_BUT_ALIVE || (start > 0 && (int) token == startHash(start));
    }

    /** Whether a process with this pid and start time (0: unknown) is running. */
    static boolean isAlive(long pid, long start) {
        if (pid <= 0) {
            return false;
        }
        long actual = start(pid);
        if (actual == 0) {
            return false;
        }
        return start == 0 || actual == UNKNOWN_BUT_ALIVE || startHash(actual) == startHash(start);
    }

    /** Returned by {@link #start(long)} for a live process whose start time the OS does not tell. */
    private static final long UNKNOWN_BUT_ALIVE = -1;

    /** The start time of a live process; 0 if it is not running (or a zombie). */
    private static long start(long pid) {
        if (PROC) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (fields[0].equals("Z") || fields[0].equals("X")) {
                    return 0;
                }
                return Long.parseLong(fields[19]) + 1; // field 22; +1 keeps a start of 0 ticks distinct from dead
            } catch (IOException | RuntimeException e) {
                return 0; // gone
            }
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return 0;
        }
        return handle.get().info().startInstant().map(Instant::toEpochMilli).orElse(UNKNOWN_BUT_ALIVE);
    }

    private static int startHash(long start) {
        return (int) (start ^ (start >>> 32)) | 1;
    }
}
