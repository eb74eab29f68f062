package dev.procshare.examples;

import dev.procshare.memory.SharedLong;
import dev.procshare.process.JvmProcess;
import dev.procshare.process.ProcessPool;
import java.util.List;

/**
 * A pool of up to 4 worker JVMs, Python's {@code Pool(processes=4)}: an ordered {@code map}, and a shared counter
 * handed to every task (which Python refuses: "Synchronized objects should only be shared between processes
 * through inheritance").
 */
public final class PoolDemo {
    private PoolDemo() {
    }

    public static void main(String[] args) throws Exception {
        run();
    }

    /** Runs the demo and returns the counter's final value (4). */
    public static long run() throws Exception {
        try (SharedLong counter = SharedLong.create(0);
             ProcessPool pool = ProcessPool.create(4)) {
            List<String> greetings = pool.map(i -> "task " + i + " ran in " + JvmProcess.current().name(),
                    List.of(1, 2, 3, 4), 1);
            greetings.forEach(g -> System.out.println("[main] " + g));
            pool.map(i -> counter.incrementAndGet(), List.of(1, 2, 3, 4));
            System.out.println("[main] the shared counter, incremented once by each of 4 tasks: " + counter.get());
            return counter.get();
        }
    }
}
