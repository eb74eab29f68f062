package dev.procshare.bench;

import dev.procshare.process.JvmProcess;
import dev.procshare.process.ProcessPool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The Java half of the process/pool comparison; each method returns medians of its own repetitions. */
final class ProcessBench {
    private ProcessBench() {
    }

    /** Median ms to start and wait for a JVM that runs an empty main. */
    static double bareJvmStartMs(int n) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        double[] times = new double[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Trivial.class.getName())
                    .inheritIO().start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("bare JVM did not exit");
            }
            times[i] = (System.nanoTime() - start) / 1e6;
        }
        return median(times);
    }

    /** Median ms of a cold {@code JvmProcess} start + join of an empty {@link EmptyEntry}. */
    static double startJoinEntryMs(int n) throws Exception {
        double[] times = new double[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            try (JvmProcess p = JvmProcess.builder().warm(false).entry(EmptyEntry.class, new byte[0]).start()) {
                p.join();
                if (p.exitCode().getAsInt() != 0) {
                    throw new IllegalStateException("trivial child failed: " + p);
                }
            }
            times[i] = (System.nanoTime() - start) / 1e6;
        }
        return median(times);
    }

    /** Median ms of {@code JvmProcess} start + join of an empty target (warm ones with a pause before each). */
    static double startJoinMs(int n, boolean warm) throws Exception {
        return startJoinMs(n, warm, true);
    }

    /**
     * Median ms of {@code JvmProcess} start + join of an empty target; {@code spaced}: warm starts wait 600 ms
     * for the replacement JVM first, else they come back to back, each right after the last one's join.
     */
    static double startJoinMs(int n, boolean warm, boolean spaced) throws Exception {
        if (warm) {
            JvmProcess.keepWarm(1);
        }
        double[] times = new double[n];
        try {
            for (int i = 0; i < n; i++) {
                if (warm && spaced) {
                    Thread.sleep(600); // let the replacement warm JVM come up, as between real uses
                }
                long start = System.nanoTime();
                try (JvmProcess p = JvmProcess.builder().warm(warm).target(() -> { }).start()) {
                    p.join();
                    if (p.exitCode().getAsInt() != 0) {
                        throw new IllegalStateException("trivial child failed: " + p);
                    }
                }
                times[i] = (System.nanoTime() - start) / 1e6;
            }
        } finally {
            if (warm) {
                JvmProcess.keepWarm(0);
            }
        }
        return median(times);
    }

    /** Median ms from {@code ProcessPool.create(workers)} until its first {@code apply} is answered. */
    static double poolFirstTaskMs(int n, int workers) throws Exception {
        double[] times = new double[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            try (ProcessPool pool = ProcessPool.create(workers)) {
                pool.apply(() -> 1);
                times[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        return median(times);
    }

    /** Median ms of {@code workers} cold {@code JvmProcess} starts at once, until all have been joined. */
    static double coldStartsTogetherMs(int n, int workers) throws Exception {
        double[] times = new double[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            List<JvmProcess> started = new java.util.ArrayList<>();
            try {
                for (int w = 0; w < workers; w++) {
                    started.add(JvmProcess.builder().warm(false).target(() -> { }).start());
                }
                for (JvmProcess p : started) {
                    p.join();
                }
            } finally {
                started.forEach(JvmProcess::close);
            }
            times[i] = (System.nanoTime() - start) / 1e6;
        }
        return median(times);
    }

    /** Ms of the first {@code pool.map(x -> x * x, 0..n)} of a new pool, once its workers are up. */
    static double firstMapMs(ProcessPool pool, int n) throws Exception {
        List<Integer> items = IntStream.range(0, n).boxed().collect(Collectors.toList());
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (pool.workerPids().size() < pool.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pool workers did not start in 60 s: " + pool);
            }
            Thread.sleep(5);
        }
        pool.apply(() -> 1);
        long start = System.nanoTime();
        pool.map(x -> (long) x * x, items);
        return (System.nanoTime() - start) / 1e6;
    }

    /**
     * Median items per second of {@code pool.map(x -> x * x, 0..n)}: 5 runs after {@code warmups} runs (in
     * which the workers' JIT compiles the loop; a first map of a new pool is much slower, see {@link #firstMapMs}).
     */
    static double mapItemsPerSecond(ProcessPool pool, int n, int warmups) throws Exception {
        List<Integer> items = IntStream.range(0, n).boxed().collect(Collectors.toList());
        double[] rates = new double[5];
        for (int run = -warmups; run < rates.length; run++) {
            if (run >= 0) {
                // Not timed: what this harness left (the million boxed items above, earlier results) is
                // collected before a measured run instead of inside it (a young pause here took 50 ms).
                System.gc();
            }
            long start = System.nanoTime();
            List<Long> out = pool.map(x -> (long) x * x, items);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (out.get(n - 1) != (long) (n - 1) * (n - 1)) {
                throw new IllegalStateException("wrong map result");
            }
            if (run >= 0) {
                rates[run] = n / seconds;
            }
        }
        return median(rates);
    }

    /**
     * Round trips before the measured ones: 20 000 (a quick run fewer), so that the JIT of both the new worker
     * JVMs and this one has compiled the path (after 2 000 the first measured round was still the slowest).
     */
    private static int warmUpCalls(int calls) {
        return Math.min(20_000, 40 * calls);
    }

    /** {median, p99} µs of {@code submit(...).get()} round trips. */
    static double[] submitRoundTripMicros(ProcessPool pool, int calls) throws Exception {
        for (int i = 0; i < warmUpCalls(calls); i++) {
            pool.submit(() -> 3 * 3).get();
        }
        double[] times = new double[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            int v = pool.submit(() -> 3 * 3).get();
            times[i] = (System.nanoTime() - start) / 1e3;
            if (v != 9) {
                throw new IllegalStateException("wrong result");
            }
        }
        Arrays.sort(times);
        return new double[] {median(times), times[(int) (calls * 0.99) - 1]};
    }

    /** {median, p99} µs of synchronous {@code apply(...)} calls (the caller talks to an idle worker itself). */
    static double[] applyRoundTripMicros(ProcessPool pool, int calls) throws Exception {
        for (int i = 0; i < warmUpCalls(calls); i++) {
            pool.apply(() -> 3 * 3);
        }
        double[] times = new double[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            int v = pool.apply(() -> 3 * 3);
            times[i] = (System.nanoTime() - start) / 1e3;
            if (v != 9) {
                throw new IllegalStateException("wrong result");
            }
        }
        Arrays.sort(times);
        return new double[] {median(times), times[(int) (calls * 0.99) - 1]};
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static List<Double> list() {
        return new ArrayList<>();
    }
}
