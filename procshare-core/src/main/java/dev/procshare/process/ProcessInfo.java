package dev.procshare.process;

import java.util.OptionalLong;

/**
 * Who the current process is, as {@link JvmProcess#current()} reports it: Python's
 * {@code multiprocessing.current_process()}.
 *
 * @param name      the name given to the {@link JvmProcess} or pool worker; {@code "MainProcess"} in a JVM
 *                  procshare did not start
 * @param pid       this process's pid
 * @param parentPid the pid of the JVM that started this one, if procshare started it
 * @param daemon    whether this process was started as a daemon
 */
public record ProcessInfo(String name, long pid, OptionalLong parentPid, boolean daemon) {
}
