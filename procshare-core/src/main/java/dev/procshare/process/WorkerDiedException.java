package dev.procshare.process;

/**
 * The JVM running a task died before answering: killed, {@code System.exit}, out of memory, a crash. The
 * task's outcome is unknown; the pool has already replaced the worker.
 */
public class WorkerDiedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long pid;
    private final int exitCode;

    public WorkerDiedException(String message, long pid, int exitCode) {
        super(message);
        this.pid = pid;
        this.exitCode = exitCode;
    }

    /** The dead JVM's pid. */
    public long pid() {
        return pid;
    }

    /** Its exit code: {@code 128 + signal} when killed by a signal (137 for kill -9), -1 if unknown. */
    public int exitCode() {
        return exitCode;
    }
}
