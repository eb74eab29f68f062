package dev.procshare.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.manager.ManagedEvent;
import dev.procshare.manager.ManagedLock;
import dev.procshare.manager.ManagedValue;
import dev.procshare.manager.Manager;
import dev.procshare.manager.Namespace;
import dev.procshare.manager.SharedMap;
import dev.procshare.memory.SharedBoolean;
import dev.procshare.memory.SharedLock;
import dev.procshare.memory.SharedLong;
import dev.procshare.process.JvmProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Many processes and threads at once; every count must come out exact, with latencies printed. */
@ExtendWith(dev.procshare.testkit.NoLeaks.class)
@Timeout(900)
class LoadTest {
    private static final int BUCKETS = 100_001; // 1 µs each; the last holds everything from 100 ms up
    private static final int KINDS = 6;

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    public interface CounterApi {
        long add(long n);

        long total();
    }

    public static final class Counter implements CounterApi {
        private long total;

        @Override
        public long add(long n) {
            total += n;
            return total;
        }

        @Override
        public long total() {
            return total;
        }
    }

    @Test
    void twoHundredClientThreadsInFourJvmsRunAMillionMixedOperations() throws Exception {
        Scenario s = new Scenario("manager-load");
        int jvms = 4;
        int threads = 50;
        int opsPerThread = 5_000 * Scenario.SOAK;
        try (Manager manager = Manager.builder().allowPackage("dev.procshare.reliability")
                .register("Counter", CounterApi.class, Counter::new).start()) {
            Namespace ns = manager.namespace();
            ns.set("n", 0L);
            ns.set("guarded", 0L);
            SharedMap<String, Long> map = manager.map();
            ManagedValue<Long> value = manager.value(0L);
            BlockingQueue<Integer> queue = manager.queue();
            ManagedLock lock = manager.lock();
            CounterApi counter = manager.create("Counter", CounterApi.class);
            ManagedEvent go = manager.event();
            ManagedValue<Integer> ready = manager.value(0);
            List<JvmProcess> children = new ArrayList<>();
            long[] histogram = new long[BUCKETS];
            long[] counts = new long[KINDS];
            long elapsed = 0;
            try {
                for (int j = 0; j < jvms; j++) {
                    children.add(JvmProcess.builder().call(() -> {
                        AtomicLongArray hist = new AtomicLongArray(BUCKETS);
                        AtomicLongArray kinds = new AtomicLongArray(KINDS);
                        List<Thread> workers = new ArrayList<>();
                        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
                        for (int t = 0; t < threads; t++) {
                            int seed = t;
                            Thread w = new Thread(() -> {
                                try {
                                    go.await();
                                    for (int i = 0; i < opsPerThread; i++) {
                                        int kind = (i + seed) % KINDS;
                                        long start = System.nanoTime();
                                        switch (kind) {
                                            case 0 -> ns.update("n", (Long v) -> v + 1);
                                            case 1 -> map.merge("m", 1L, Long::sum);
                                            case 2 -> value.update(v -> v + 1);
                                            case 3 -> {
                                                queue.offer(i);
                                                if (queue.poll() == null) {
                                                    throw new AssertionError("an offered item vanished");
                                                }
                                            }
                                            case 4 -> {
                                                lock.lock();
                                                try {
                                                    long g = ns.get("guarded");
                                                    ns.set("guarded", g + 1);
                                                } finally {
                                                    lock.unlock();
                                                }
                                            }
                                            default -> counter.add(1);
                                        }
                                        long us = (System.nanoTime() - start) / 1_000;
                                        hist.incrementAndGet((int) Math.min(us, BUCKETS - 1));
                                        kinds.incrementAndGet(kind);
                                    }
                                } catch (Throwable e) {
                                    errors.add(e);
                                }
                            });
                            workers.add(w);
                            w.start();
                        }
                        ready.update(n -> n + 1);
                        long begin = System.nanoTime();
                        for (Thread w : workers) {
                            w.join();
                        }
                        long took = System.nanoTime() - begin;
                        if (!errors.isEmpty()) {
                            throw new AssertionError(errors.size() + " errors, first: " + errors.get(0), errors.get(0));
                        }
                        long[] out = new long[BUCKETS + KINDS + 1];
                        for (int i = 0; i < BUCKETS; i++) {
                            out[i] = hist.get(i);
                        }
                        for (int k = 0; k < KINDS; k++) {
                            out[BUCKETS + k] = kinds.get(k);
                        }
                        out[BUCKETS + KINDS] = took;
                        return out;
                    }).start());
                }
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (ready.get() < jvms) {
                    assertTrue(System.nanoTime() < deadline, "client JVMs did not get ready");
                    Thread.sleep(10);
                }
                go.set();
                for (JvmProcess child : children) {
                    long[] out = child.result(Duration.ofMinutes(10));
                    for (int i = 0; i < BUCKETS; i++) {
                        histogram[i] += out[i];
                    }
                    for (int k = 0; k < KINDS; k++) {
                        counts[k] += out[BUCKETS + k];
                    }
                    elapsed = Math.max(elapsed, out[BUCKETS + KINDS]);
                }
            } finally {
                children.forEach(JvmProcess::close);
            }
            long ops = java.util.Arrays.stream(counts).sum();
            assertEquals((long) jvms * threads * opsPerThread, ops);
            assertEquals(counts[0], (long) ns.get("n"), "namespace updates");
            assertEquals(counts[1], map.get("m"), "map merges");
            assertEquals(counts[2], value.get(), "value updates");
            assertNull(queue.poll(), "every queued item was taken once");
            assertEquals(counts[4], (long) ns.get("guarded"), "lock-guarded read-modify-writes");
            assertEquals(counts[5], counter.total(), "user-object calls");
            long calls = counts[0] + counts[1] + counts[2] + 2 * counts[3] + 4 * counts[4] + counts[5];
            double[] p = Scenario.percentiles(histogram);
            s.put("clientJvms", jvms).put("threads", jvms * threads).put("operations", ops).put("calls", calls)
                    .put("errors", 0).put("seconds", elapsed / 1e9).put("opsPerSecond", ops / (elapsed / 1e9))
                    .put("p50us", p[0]).put("p99us", p[1]).put("p999us", p[2]).put("counts", "exact").print();
        }
    }

    @Test
    void fourJvmsHammeringSharedCountersAndLocksLoseNothing() throws Exception {
        Scenario s = new Scenario("shared-memory-load");
        int jvms = 4;
        long increments = 2_000_000L * Scenario.SOAK;
        long lockedPairs = 100_000L * Scenario.SOAK;
        try (SharedLong counter = SharedLong.create(0);
             SharedLock lock = SharedLock.create();
             SharedLong a = SharedLong.create(0);
             SharedLong b = SharedLong.create(0);
             SharedBoolean go = SharedBoolean.create(false)) {
            List<JvmProcess> children = new ArrayList<>();
            try {
                for (int j = 0; j < jvms; j++) {
                    children.add(JvmProcess.builder().call(() -> {
                        while (!go.get()) {
                            Thread.onSpinWait();
                        }
                        long begin = System.nanoTime();
                        for (long i = 0; i < increments; i++) {
                            counter.incrementAndGet();
                        }
                        long mid = System.nanoTime();
                        for (long i = 0; i < lockedPairs; i++) {
                            lock.lock();
                            try {
                                a.set(a.get() + 1); // plain read-modify-write: only the lock makes it safe
                                b.set(b.get() + 1);
                            } finally {
                                lock.unlock();
                            }
                        }
                        return new long[] {mid - begin, System.nanoTime() - mid};
                    }).start());
                }
                Thread.sleep(500);
                go.set(true);
                long incNanos = 0;
                long lockNanos = 0;
                for (JvmProcess child : children) {
                    long[] t = child.result(Duration.ofMinutes(10));
                    incNanos = Math.max(incNanos, t[0]);
                    lockNanos = Math.max(lockNanos, t[1]);
                }
                assertEquals(jvms * increments, counter.get());
                assertEquals(jvms * lockedPairs, a.get());
                assertEquals(jvms * lockedPairs, b.get());
                s.put("jvms", jvms).put("increments", jvms * increments).put("lockedPairUpdates", jvms * lockedPairs)
                        .put("incrementsPerSecond", jvms * increments / (incNanos / 1e9))
                        .put("lockedUpdatesPerSecond", jvms * lockedPairs / (lockNanos / 1e9)).put("counts", "exact")
                        .print();
            } finally {
                children.forEach(JvmProcess::close);
            }
        }
    }
}
