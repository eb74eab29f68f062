package dev.procshare.examples;

import dev.procshare.manager.ManagedEvent;
import dev.procshare.manager.Manager;
import dev.procshare.process.JvmProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Seed section 3: {@code BaseManager.register('Test', Test)}; a viewer process prints the shared object's
 * data every interval, a modifier process changes it, then the main process changes it; every process sees
 * each change. The seed's viewer loops forever; this one stops when the main process says so, so that the
 * program ends by itself. The seed relies on its sleeps for the viewer to have printed a value before the
 * next change; here the viewer also reports each new value on a queue and the main process waits for that
 * report, so that the output is the same on a machine slower than the interval.
 */
public final class RegisteredClassDemo {
    private RegisteredClassDemo() {
    }

    /** {@code RegisteredClassDemo [interval-seconds]}, 2 by default as in the seed. */
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        List<String> seen = run(Duration.ofMillis(Math.round(seconds * 1000)));
        if (!seen.equals(List.of("init", "process modify", "main"))) {
            System.exit(1);
        }
    }

    /** The seed's {@code view_var}: print the shared data every {@code interval} until told to stop. */
    static List<String> viewVar(String processName, TestApi obj, ManagedEvent stop, BlockingQueue<String> shown,
            long intervalMillis) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        do {
            String line = obj.printTestList(processName);
            System.out.println("[" + processName + "] " + line);
            String data = line.substring(line.lastIndexOf(": ") + 2);
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(data)) {
                seen.add(data);
                shown.put(data);
            }
        } while (!stop.await(intervalMillis, TimeUnit.MILLISECONDS));
        return seen;
    }

    /**
     * Runs the demo: the viewer starts, one interval and a half later the modifier, as long again later the
     * main process changes the data, and after that the viewer is stopped. Returns the distinct values the
     * viewer saw, in order ({@code [init, process modify, main]}).
     */
    public static List<String> run(Duration interval) throws Exception {
        long ms = interval.toMillis();
        try (Manager manager = Manager.builder().register("Test", TestApi.class, Test::new).start()) {
            TestApi obj = manager.create("Test", TestApi.class);
            ManagedEvent stop = manager.event();
            BlockingQueue<String> shown = manager.queue();
            try (JvmProcess viewer = JvmProcess.builder().name("process 1")
                         .call(() -> viewVar("process 1", obj, stop, shown, ms)).start()) {
                awaitShown(shown, "init");
                Thread.sleep(ms * 3 / 2);
                try (JvmProcess modifier = JvmProcess.builder().name("process 2")
                        .target(() -> obj.setTestList("process 2", "process modify")).start()) {
                    modifier.join(Duration.ofSeconds(60));
                }
                awaitShown(shown, "process modify");
                Thread.sleep(ms * 3 / 2);
                obj.setTestList("main process", "main");
                awaitShown(shown, "main");
                Thread.sleep(ms * 3 / 2);
                stop.set();
                List<String> seen = viewer.result(Duration.ofSeconds(60));
                System.out.println("[main] the viewer saw: " + seen);
                return seen;
            }
        }
    }

    /** Waits (bounded) until the viewer reports {@code value}; a different report means it missed one. */
    private static void awaitShown(BlockingQueue<String> shown, String value) throws InterruptedException {
        String reported = shown.poll(60, TimeUnit.SECONDS);
        if (!value.equals(reported)) {
            throw new IllegalStateException("the viewer showed " + reported + ", expected " + value);
        }
    }
}
