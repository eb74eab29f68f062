package dev.procshare.bench;

import dev.procshare.manager.ManagedEvent;
import dev.procshare.manager.ManagedValue;
import dev.procshare.manager.Manager;
import dev.procshare.manager.Namespace;
import dev.procshare.manager.SharedMap;
import dev.procshare.process.JvmProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The manager's figures for the side-by-side report: call latencies, throughput, start times. */
final class ManagerBench {
    private ManagerBench() {
    }

    /** A registered type like the Python script's {@code Test}. */
    public interface TestApi {
        int add(int n);
    }

    public static final class Test implements TestApi {
        private int total;

        @Override
        public int add(int n) {
            total += n;
            return total;
        }
    }

    /** Median and p99 (µs) of each kind of call, against a server in its own JVM. */
    static Map<String, double[]> latencies(int calls) {
        Map<String, double[]> out = new LinkedHashMap<>();
        try (Manager manager = Manager.builder().register("Test", TestApi.class, Test::new).start()) {
            Namespace ns = manager.namespace();
            ns.set("x", 1);
            ManagedValue<Integer> value = manager.value(0);
            SharedMap<String, Integer> map = manager.map();
            List<Integer> list = manager.list();
            TestApi test = manager.create("Test", TestApi.class);
            out.put("namespace_set", time(calls, () -> ns.set("x", 1)));
            out.put("namespace_get", time(calls, () -> ns.get("x")));
            out.put("value_get", time(calls, value::get));
            out.put("value_set", time(calls, () -> value.set(1)));
            out.put("map_put", time(calls, () -> map.put("k", 1)));
            out.put("map_get", time(calls, () -> map.get("k")));
            out.put("list_append", time(calls, () -> list.add(1)));
            out.put("user_call", time(calls, () -> test.add(1)));
        }
        return out;
    }

    static double[] time(int calls, Runnable call) {
        // Warm-up long enough for both JVMs' JIT to compile the call path (the server is a fresh JVM).
        for (int i = 0; i < Math.min(calls, 20_000); i++) {
            call.run();
        }
        long[] samples = new long[calls];
        for (int i = 0; i < calls; i++) {
            long t = System.nanoTime();
            call.run();
            samples[i] = System.nanoTime() - t;
        }
        Arrays.sort(samples);
        return new double[] {samples[calls / 2] / 1e3, samples[calls * 99 / 100] / 1e3};
    }

    /**
     * Calls each throughput client makes before the measured ones, so that C2 has compiled the call path in
     * the fresh client and server JVMs. On 2 cores the compiler thread competes with the spinning client and
     * server threads, and it takes long: reads measured in 10 000s after 300 000 warm-up calls still took
     * 1.5-3.7 µs each, after 1 200 000 about 0.8-1.0 µs (what a long-running client gets). Python's clients
     * make 200: it has no JIT to wait for.
     */
    private static final int WARM_UP_CALLS = 1_200_000;

    /** Total namespace reads per second of {@code clients} client JVMs started together. */
    static double throughput(int clients, int callsEach) throws Exception {
        try (Manager manager = Manager.builder().allowPackage("dev.procshare.bench").start()) {
            Namespace ns = manager.namespace();
            ns.set("x", 1);
            ManagedEvent warm = manager.event();
            ManagedEvent go = manager.event();
            ManagedValue<Integer> ready = manager.value(0);
            List<JvmProcess> children = new ArrayList<>();
            try {
                int warmUp = Math.min(WARM_UP_CALLS, 30 * callsEach); // a quick run stays quick
                int settle = Math.min(callsEach / 2, 50_000);
                for (int c = 0; c < clients; c++) {
                    children.add(JvmProcess.builder().call(() -> {
                        ready.update(n -> n + 1);
                        warm.await();
                        for (int i = 0; i < 4; i++) {
                            reads(ns, warmUp / 4);
                        }
                        ready.update(n -> n + 1);
                        go.await();
                        long startAt = (Long) ns.get("startAt");
                        // Not timed: a blocking call (this event wait) takes branches the compiled read path
                        // has not seen, HotSpot deoptimizes it (-XX:+PrintCompilation: ManagerClient.invoke and
                        // FastCodec.read/write "made not entrant"), and the next ~30 000 reads take 4-10 µs
                        // until C2 has recompiled them. Python's clients make the same settling calls.
                        reads(ns, settle);
                        // All clients start timing together, at an agreed moment of CLOCK_MONOTONIC (one clock
                        // for all processes here), reading until then: no other call, so nothing deoptimizes.
                        while (System.nanoTime() < startAt) {
                            reads(ns, 100);
                        }
                        long start = System.nanoTime();
                        return new long[] {start, start + reads(ns, callsEach)};
                    }).start());
                }
                awaitReady(ready, clients);
                warm.set();
                awaitReady(ready, 2 * clients);
                // after the settling reads (50 000 at up to 10 µs while recompiling) with room to spare
                ns.set("startAt", System.nanoTime() + 500_000_000L + settle * 10_000L);
                go.set();
                // From the first client's start to the last one's end: if one client were served while the
                // other waited, the slowest client's own time would count the same work twice as fast.
                // (The starts differ by microseconds: see startAt.)
                long first = Long.MAX_VALUE;
                long last = Long.MIN_VALUE;
                for (JvmProcess child : children) {
                    long[] span = child.result(Duration.ofMinutes(5));
                    first = Math.min(first, span[0]);
                    last = Math.max(last, span[1]);
                }
                return clients * (double) callsEach * 1e9 / (last - first);
            } finally {
                children.forEach(JvmProcess::close);
            }
        }
    }

    private static void awaitReady(ManagedValue<Integer> ready, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (ready.get() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("clients did not get ready");
            }
            Thread.sleep(5);
        }
    }

    /** Nanoseconds of {@code n} namespace reads: one method, so that warm-up and measured loops share its code. */
    private static long reads(Namespace ns, int n) {
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ns.get("x");
        }
        return System.nanoTime() - t;
    }

    /**
     * Median ms of {@code Manager.start()}: {own JVM, returned; own JVM, until its first call is answered (the
     * server listens: what Python's start waits for); in this JVM after the first}.
     */
    static double[] startMs(int starts) {
        double[] own = new double[starts];
        double[] ready = new double[starts];
        double[] in = new double[starts];
        for (int i = 0; i < starts; i++) {
            long t = System.nanoTime();
            Manager m = Manager.start();
            own[i] = (System.nanoTime() - t) / 1e6;
            m.namespace();
            ready[i] = (System.nanoTime() - t) / 1e6;
            m.close();
        }
        Manager.builder().inProcess().start().close();
        for (int i = 0; i < starts; i++) {
            long t = System.nanoTime();
            Manager m = Manager.builder().inProcess().start();
            in[i] = (System.nanoTime() - t) / 1e6;
            m.close();
        }
        return new double[] {ProcessBench.median(own), ProcessBench.median(ready), ProcessBench.median(in)};
    }
}
