package dev.procshare.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.memory.SharedLong;
import dev.procshare.testkit.NoLeaks;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class ProcessPoolTest {

    @Test
    void mapOverTenThousandItemsIsOrderedAndExact() throws Exception {
        List<Integer> items = IntStream.range(0, 10_000).boxed().collect(Collectors.toList());
        AtomicLong lastDone = new AtomicLong();
        try (ProcessPool pool = ProcessPool.create(2)) {
            List<Long> squares = pool.map(x -> (long) x * x, items, 0, (done, total) -> lastDone.set(done));
            for (int i = 0; i < items.size(); i++) {
                assertEquals((long) i * i, squares.get(i));
            }
            assertEquals(10_000, lastDone.get(), "progress reached the total");
            assertEquals(List.of(3, 7), pool.starmap((Integer a, Integer b) -> a + b,
                    List.of(Map.entry(1, 2), Map.entry(3, 4))));
            assertEquals(List.of("A", "B"), pool.mapAsync((String s) -> s.toUpperCase(), List.of("a", "b"))
                    .get(60, TimeUnit.SECONDS));
            assertEquals(42, pool.apply(() -> 6 * 7));
        }
    }

    @Test
    void mapKeepsEveryKindOfItemAndResultInOrder() throws Exception {
        try (ProcessPool pool = ProcessPool.create(2)) {
            // Items of one box type travel as primitive arrays; mixed, null and other items as objects.
            assertEquals(List.of(0.5, 1.5, 2.5), pool.map((Long x) -> x + 0.5, List.of(0L, 1L, 2L), 2));
            List<Object> mixed = java.util.Arrays.asList(1, 2L, null, "s", 3.0);
            assertEquals(java.util.Arrays.asList("1", "2", "null", "s", "3.0"),
                    pool.map(String::valueOf, mixed, 2));
            // A result type that changes inside a chunk keeps every result in place.
            assertEquals(List.of(0, 1, "big", "big", 4),
                    pool.map((Integer x) -> x == 2 || x == 3 ? (Object) "big" : x, List.of(0, 1, 2, 3, 4), 5));
            List<Double> halves = pool.map((Double d) -> d / 2, List.of(2.0, 4.0));
            assertEquals(List.of(1.0, 2.0), halves);
            assertThrows(UnsupportedOperationException.class, () -> halves.add(3.0), "map results are read-only");
            assertEquals(List.of(), pool.map((Integer x) -> x, List.<Integer>of()));
        }
    }

    @Test
    void imapIsLazyAndOrderedAndUnorderedSeesEveryResult() throws Exception {
        AtomicInteger pulled = new AtomicInteger();
        Iterable<Integer> endless = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return pulled.getAndIncrement();
            }
        };
        try (ProcessPool pool = ProcessPool.create(2)) {
            Iterator<Integer> doubled = pool.imap(x -> x * 2, endless);
            for (int i = 0; i < 10; i++) {
                assertEquals(i * 2, doubled.next());
            }
            assertTrue(pulled.get() < 30, "imap read " + pulled.get() + " items of an endless input");
            Set<Integer> unordered = new HashSet<>();
            pool.imapUnordered(x -> x + 1, List.of(1, 2, 3, 4, 5), 2).forEachRemaining(unordered::add);
            assertEquals(Set.of(2, 3, 4, 5, 6), unordered);
        }
    }

    @Test
    void sharedLongPassedToTenThousandTasksEndsExact() throws Exception {
        try (SharedLong counter = SharedLong.create(0);
             ProcessPool pool = ProcessPool.create(2)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                futures.add(pool.submit(counter::incrementAndGet));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            assertEquals(10_000, counter.get());
        }
    }

    @Test
    void initializerRunsOncePerWorkerAndMaxTasksPerChildRecyclesWorkers() throws Exception {
        try (SharedLong initialized = SharedLong.create(0)) {
            // growAfter(ZERO): both workers start with the pool, although one could run all the tasks.
            try (ProcessPool pool = ProcessPool.builder().size(2).growAfter(java.time.Duration.ZERO)
                    .initializer(initialized::incrementAndGet).create()) {
                pool.map(x -> x, IntStream.range(0, 100).boxed().collect(Collectors.toList()), 1);
            }
            // Checked after close(): one worker may have run every task while the other was still starting.
            assertEquals(2, initialized.get());
            try (ProcessPool pool = ProcessPool.builder().size(1).maxTasksPerChild(2).create()) {
                Set<Long> pids = new HashSet<>();
                for (int i = 0; i < 6; i++) {
                    pids.add(pool.apply(() -> ProcessHandle.current().pid()));
                }
                assertEquals(3, pids.size(), "a new worker every 2 tasks: " + pids);
            }
        }
    }

    @Test
    void killedWorkerFailsItsTaskOnlyAndThePoolGoesOn() throws Exception {
        // growAfter(ZERO): the pool is at full size before and, once the dead worker is replaced, after.
        try (SharedLong victimPid = SharedLong.create(0);
             ProcessPool pool = ProcessPool.builder().size(2).growAfter(java.time.Duration.ZERO).create()) {
            CompletableFuture<Object> doomed = pool.submit(() -> {
                victimPid.set(ProcessHandle.current().pid());
                Thread.sleep(120_000);
                return "never";
            });
            List<CompletableFuture<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                others.add(pool.submit(() -> n));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (victimPid.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            ProcessHandle.of(victimPid.get()).orElseThrow().destroyForcibly();
            ExecutionException e = assertThrows(ExecutionException.class, () -> doomed.get(60, TimeUnit.SECONDS));
            WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, e.getCause());
            assertEquals(137, died.exitCode());
            assertEquals(victimPid.get(), died.pid());
            for (int i = 0; i < 50; i++) {
                assertEquals(i, others.get(i).get(60, TimeUnit.SECONDS));
            }
            assertEquals(7, pool.apply(() -> 7), "the pool replaced the worker and still serves");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pool.workerPids().size() < 2 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(2, pool.workerPids().size(), "the dead worker was replaced");
            assertTrue(!pool.workerPids().contains(victimPid.get()));
        }
    }

    @Test
    void taskFailuresCarryRemoteStackTracesAndExitIsAWorkerDeath() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            RemoteTaskException e = assertThrows(RemoteTaskException.class,
                    () -> pool.apply(() -> Integer.parseInt("not a number")));
            assertInstanceOf(NumberFormatException.class, e.getCause());
            assertTrue(e.getMessage().contains("PoolWorker-1"), e.getMessage());
            WorkerDiedException died = assertThrows(WorkerDiedException.class, () -> pool.apply(() -> {
                System.exit(3);
                return 0;
            }));
            assertEquals(3, died.exitCode());
            assertEquals(1, pool.apply(() -> 1));
        }
    }

    @Test
    void workerOutOfMemoryDiesAndIsReplaced() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().size(1).jvmOptions("-Xmx32m").create()) {
            WorkerDiedException died = assertThrows(WorkerDiedException.class, () -> pool.apply(() -> {
                List<long[]> hog = new ArrayList<>();
                for (;;) {
                    hog.add(new long[1 << 20]);
                }
            }));
            assertEquals(3, died.exitCode(), "ExitOnOutOfMemoryError exits with 3");
            assertEquals(5, pool.apply(() -> 5));
        }
    }

    @Test
    void shutdownNowReturnsUnstartedTasks() throws Exception {
        ProcessPool pool = ProcessPool.create(1);
        try {
            CompletableFuture<Object> running = pool.submit(() -> {
                Thread.sleep(60_000);
                return null;
            });
            for (int i = 0; i < 5; i++) {
                pool.submit(() -> 1);
            }
            Thread.sleep(200);
            List<Runnable> unstarted = pool.shutdownNow();
            assertTrue(unstarted.size() >= 4, unstarted.size() + " unstarted");
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            assertThrows(Exception.class, () -> running.get(30, TimeUnit.SECONDS));
            assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> pool.submit(() -> 1));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void worksAsAnExecutorService() throws Exception {
        try (ProcessPool pool = ProcessPool.create(2)) {
            List<Callable<Integer>> calls = List.of((SerializableCallable<Integer>) () -> 1,
                    (SerializableCallable<Integer>) () -> 2);
            List<Future<Integer>> results = pool.invokeAll(calls);
            assertEquals(1, results.get(0).get());
            assertEquals(2, results.get(1).get());
            int any = pool.invokeAny(calls);
            assertTrue(any == 1 || any == 2);
            List<Callable<Integer>> failing = List.of((SerializableCallable<Integer>) () -> {
                throw new IllegalStateException("no");
            });
            ExecutionException none = assertThrows(ExecutionException.class, () -> pool.invokeAny(failing));
            assertInstanceOf(RemoteTaskException.class, none.getCause());
            CompletableFuture<Integer> chained = pool.submit(() -> 20).thenApply(x -> x + 1);
            assertEquals(21, chained.get(30, TimeUnit.SECONDS));
            assertThrows(UnserializableTaskException.class,
                    () -> CompletableFuture.supplyAsync(() -> 20, pool::execute),
                    "CompletableFuture's own Runnable is not serializable: refused at once, not in the worker");
        }
    }

    @Test
    void failingInitializerBreaksThePoolInsteadOfRespawning() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().size(2)
                .initializer(() -> {
                    throw new IllegalStateException("bad initializer");
                }).create()) {
            Thread.sleep(1_000); // let the workers fail before any task is sent
            RemoteTaskException e = assertThrows(RemoteTaskException.class, () -> pool.apply(() -> 1));
            assertTrue(e.getMessage().contains("initializer"), e.getMessage());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertThrows(RemoteTaskException.class, () -> pool.apply(() -> 2), "later tasks fail the same way");
        }
    }

    @Test
    void callbacksOfDirectlyRunTasksMayUseThePool() {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(90), () -> {
            try (ProcessPool pool = ProcessPool.create(1)) {
                CompletableFuture<Integer> inner = new CompletableFuture<>();
                CompletableFuture<Integer> first = pool.submit(() -> 1);
                first.thenRun(() -> inner.complete(pool.submit(() -> 2).join()));
                assertEquals(1, first.get());
                assertEquals(2, inner.get(60, TimeUnit.SECONDS));
                assertEquals(3, pool.apply(() -> 3));
            }
        });
    }

    @Test
    void unserializableCaptureIsRefusedAtSubmit() {
        Object notSerializable = new Object();
        try (ProcessPool pool = ProcessPool.create(1)) {
            UnserializableTaskException e = assertThrows(UnserializableTaskException.class,
                    () -> pool.submit(() -> notSerializable.hashCode()));
            assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        }
    }

    @Test
    void workersBootOneAtATimeYetThePoolGrowsToItsFullSize() throws Exception {
        // Three tasks that each wait until all three run: only three live workers at once can finish them.
        try (SharedLong arrived = SharedLong.create(0);
             ProcessPool pool = ProcessPool.builder().size(3).startConcurrency(1).create()) {
            List<CompletableFuture<Long>> pids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                pids.add(pool.submit(() -> {
                    arrived.incrementAndGet();
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (arrived.get() < 3 && System.nanoTime() < until) {
                        Thread.sleep(1);
                    }
                    return JvmProcess.current().pid();
                }));
            }
            Set<Long> distinct = new HashSet<>();
            for (CompletableFuture<Long> f : pids) {
                distinct.add(f.get(120, TimeUnit.SECONDS));
            }
            assertEquals(3, arrived.get());
            assertEquals(3, distinct.size(), "each task ran in its own worker: " + distinct);
        }
    }

    @Test
    void aPoolThatOneWorkerKeepsUpWithStartsNoOtherWorker() throws Exception {
        // A long growAfter: on a loaded machine a worker may take a task late, and that must not count here.
        Set<ProcessHandle> before = ProcessHandle.current().descendants().collect(Collectors.toSet());
        try (ProcessPool pool = ProcessPool.builder().size(3).growAfter(java.time.Duration.ofSeconds(20)).create()) {
            Set<Long> pids = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                pids.add(pool.apply(() -> ProcessHandle.current().pid()));
            }
            pids.addAll(pool.map(x -> ProcessHandle.current().pid(), IntStream.range(0, 50).boxed().toList(), 1));
            assertEquals(1, pids.size(), "every task ran in the first worker: " + pids);
            assertEquals(List.copyOf(pids), pool.workerPids());
            assertEquals(Set.of(pids.iterator().next()), ProcessHandle.current().descendants()
                    .filter(p -> !before.contains(p)).map(ProcessHandle::pid).collect(Collectors.toSet()),
                    "no other worker JVM is booting");
        }
    }

    @Test
    void aPoolWhoseWorkerTakesSlowTasksOneAfterAnotherStillGrows() throws Exception {
        // The first worker takes a 100 ms task every 100 ms: the backlog, not a pause in taking, grows the pool.
        // The tasks stop sleeping once a second worker has run one, so the test takes about as long as that.
        try (SharedLong firstPid = SharedLong.create(0);
             SharedLong otherPid = SharedLong.create(0);
             ProcessPool pool = ProcessPool.builder().size(2).create()) {
            pool.map(i -> {
                long me = ProcessHandle.current().pid();
                firstPid.compareAndSet(0, me);
                if (firstPid.get() != me) {
                    otherPid.set(me);
                }
                if (otherPid.get() == 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
                return me;
            }, IntStream.range(0, 600).boxed().toList(), 1);
            assertTrue(otherPid.get() != 0, "one worker ran all 600 tasks: the pool never grew");
        }
    }

    @Test
    void aTaskWaitingForAReplacementWorkerStartsNoOtherWorker() throws Exception {
        // Each worker retires after one task; the next task waits for its replacement's boot, far longer than
        // growAfter. That boot is the one the task waits for: the pool's second slot stays unused.
        try (ProcessPool pool = ProcessPool.builder().size(2).maxTasksPerChild(1)
                .growAfter(java.time.Duration.ofMillis(20)).create()) {
            Set<String> slots = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                slots.add(pool.apply(() -> JvmProcess.current().name()));
            }
            assertEquals(Set.of("PoolWorker-1"), slots);
            Thread.sleep(1_500); // a second worker started for a waiting task would be up by now
            assertEquals(1, pool.workerPids().size(), "no second worker: " + pool);
        }
    }

    @Test
    void closingWithNothingQueuedKillsWorkersStillBooting(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // HotSpot's PauseAtStartup holds each worker JVM at its very start while the file exists: the first is
        // let go, the second stays booting for good, and close() must not wait for it.
        java.nio.file.Path pause = dir.resolve("vm.paused");
        Set<ProcessHandle> before = ProcessHandle.current().descendants().collect(Collectors.toSet());
        ProcessPool pool = ProcessPool.builder().size(2).startConcurrency(1).growAfter(java.time.Duration.ZERO)
                .startTimeout(java.time.Duration.ofMinutes(5))
                .jvmOptions("-XX:+UnlockDiagnosticVMOptions", "-XX:+PauseAtStartup", "-XX:PauseAtStartupFile=" + pause)
                .create();
        try {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(90), () -> {
                CompletableFuture<Integer> answer = pool.submit(() -> 42);
                awaitFile(pause);
                java.nio.file.Files.delete(pause); // the first worker goes on
                assertEquals(42, answer.get(60, TimeUnit.SECONDS));
                awaitFile(pause); // the second worker has started and is held
                pool.close();
            });
            assertTrue(pool.isTerminated());
        } finally {
            pool.shutdownNow();
            ProcessHandle.current().descendants().filter(p -> !before.contains(p)).forEach(ProcessHandle::destroyForcibly);
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.current().descendants().anyMatch(p -> !before.contains(p)) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertEquals(Set.of(), ProcessHandle.current().descendants().filter(p -> !before.contains(p))
                .collect(Collectors.toSet()), "no worker outlives the pool");
    }

    private static void awaitFile(java.nio.file.Path file) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!java.nio.file.Files.exists(file)) {
            assertTrue(System.nanoTime() < until, "no worker JVM reached its start pause within 60 s");
            Thread.sleep(5);
        }
    }

    @Test
    void aNegativeGrowAfterIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcessPool.builder().growAfter(java.time.Duration.ofMillis(-1)));
        assertTrue(e.getMessage().contains("growAfter"), e.getMessage());
    }

    @Test
    void startConcurrencyBelowOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcessPool.builder().startConcurrency(0));
        assertTrue(e.getMessage().contains("startConcurrency"), e.getMessage());
    }
}
