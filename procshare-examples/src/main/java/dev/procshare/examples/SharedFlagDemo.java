package dev.procshare.examples;

import dev.procshare.memory.SharedBoolean;
import dev.procshare.memory.SharedLong;
import dev.procshare.process.JvmProcess;
import dev.procshare.process.ProcessInfo;
import java.time.Duration;

/**
 * Seed section 1: {@code multiprocessing.Value(c_bool, False)} handed to a daemon child process named "ttt",
 * which does its work and sets the flag; the parent sees the child's write.
 */
public final class SharedFlagDemo {
    private SharedFlagDemo() {
    }

    public static void main(String[] args) throws Exception {
        if (!run()) {
            System.exit(1);
        }
    }

    /** What the seed's {@code runner.run_task} does: some work, then the flag. */
    static void runTask(SharedBoolean reportExecutorEnd, SharedLong tasksDone) {
        ProcessInfo me = JvmProcess.current();
        for (int i = 0; i < 3; i++) {
            tasksDone.incrementAndGet();
        }
        System.out.println("[" + me.name() + "] pid " + me.pid() + " (parent " + me.parentPid().orElse(-1)
                + ", daemon " + me.daemon() + ") did " + tasksDone.get() + " tasks, setting the flag");
        reportExecutorEnd.set(true);
    }

    /** Runs the demo and returns the flag's final value. */
    public static boolean run() throws Exception {
        try (SharedBoolean reportExecutorEnd = SharedBoolean.create(false);
             SharedLong tasksDone = SharedLong.create(0)) {
            System.out.println("[main] created " + reportExecutorEnd);
            try (JvmProcess ttt = JvmProcess.builder().name("ttt").daemon(true)
                    .target(() -> runTask(reportExecutorEnd, tasksDone))
                    .start()) {
                if (!ttt.join(Duration.ofSeconds(60))) {
                    throw new IllegalStateException("child 'ttt' did not finish within 60 s");
                }
                System.out.println("[main] " + ttt + "; flag = " + reportExecutorEnd.get() + ", tasks done = "
                        + tasksDone.get());
            }
            return reportExecutorEnd.get();
        }
    }
}
