package dev.procshare.testkit;

import java.io.Serializable;

/** A task that can be sent to a child JVM: a lambda assigned to this type is serializable. */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable {
    /** Runs in the child; may throw, which makes the child exit with code 1 and print the trace. */
    void runChecked() throws Exception;

    @Override
    default void run() {
        try {
            runChecked();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
