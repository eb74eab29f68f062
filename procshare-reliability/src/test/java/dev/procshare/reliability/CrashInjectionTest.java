package dev.procshare.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.manager.ManagedLock;
import dev.procshare.manager.ManagedSemaphore;
import dev.procshare.manager.Manager;
import dev.procshare.manager.ManagerUnavailableException;
import dev.procshare.manager.Namespace;
import dev.procshare.memory.SegmentInfo;
import dev.procshare.memory.SharedBoolean;
import dev.procshare.memory.SharedDoubleArray;
import dev.procshare.memory.SharedLock;
import dev.procshare.memory.SharedLong;
import dev.procshare.memory.SharedMemory;
import dev.procshare.process.JvmProcess;
import dev.procshare.process.ProcessPool;
import dev.procshare.process.WorkerDiedException;
import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Real JVMs killed with SIGKILL at seeded random moments; what they held must be recovered. */
@ExtendWith(NoLeaks.class)
@Timeout(600)
class CrashInjectionTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    private static void await(SharedBoolean flag) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!flag.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the child never started its work");
            }
            Thread.sleep(1);
        }
    }

    @Test
    void sharedLockHolderKilledAtRandomPointsIsTakenOverAndTheCounterRepaired() throws Exception {
        Scenario s = new Scenario("shared-lock-holder-killed");
        int rounds = 6 * Scenario.SOAK;
        int takenFromDead = 0;
        int torn = 0;
        try (SharedLock lock = SharedLock.create();
             SharedLong a = SharedLong.create(0);
             SharedLong b = SharedLong.create(0);
             SharedBoolean started = SharedBoolean.create(false)) {
            for (int round = 0; round < rounds; round++) {
                started.set(false);
                try (ChildJvm child = ChildJvm.task(() -> {
                    started.set(true);
                    while (true) {
                        lock.lock();
                        try {
                            a.incrementAndGet();
                            for (int i = 0; i < 200; i++) {
                                Thread.onSpinWait(); // a window in which a and b differ
                            }
                            b.incrementAndGet();
                        } finally {
                            lock.unlock();
                        }
                    }
                }).start()) {
                    await(started);
                    Thread.sleep(5 + s.random.nextInt(100));
                    child.kill();
                }
                assertTrue(lock.tryLock(5, TimeUnit.SECONDS), "the dead holder's lock was not released");
                try {
                    boolean died = lock.previousOwnerDied();
                    takenFromDead += died ? 1 : 0;
                    if (a.get() != b.get()) {
                        assertTrue(died, "the protected pair is torn but nobody was told");
                        torn++;
                        b.set(a.get()); // the repair a real program would do
                    }
                } finally {
                    lock.unlock();
                }
                assertEquals(a.get(), b.get());
            }
        }
        s.put("faults", rounds).put("takenOverFromDeadOwner", takenFromDead).put("tornAndRepaired", torn)
                .put("increments", "exact").print();
    }

    @Test
    void managerLockAndPermitHolderKilledAreReleased() throws Exception {
        Scenario s = new Scenario("manager-lock-holder-killed");
        int rounds = 4 * Scenario.SOAK;
        int takenFromDead = 0;
        int torn = 0;
        try (Manager manager = Manager.builder().inProcess().start()) {
            ManagedLock lock = manager.lock();
            ManagedSemaphore permits = manager.semaphore(1);
            Namespace ns = manager.namespace();
            ns.set("a", 0);
            ns.set("b", 0);
            for (int round = 0; round < rounds; round++) {
                ns.set("started", false);
                try (JvmProcess child = JvmProcess.builder().target(() -> {
                    try {
                        permits.acquire();
                    } catch (InterruptedException e) {
                        return;
                    }
                    ns.set("started", true);
                    while (true) {
                        lock.lock();
                        try {
                            int n = ns.get("a");
                            ns.set("a", n + 1);
                            ns.set("b", n + 1);
                        } finally {
                            lock.unlock();
                        }
                    }
                }).start()) {
                    long deadline = System.nanoTime() + BOUND.toNanos();
                    while (!Boolean.TRUE.equals(ns.get("started"))) {
                        assertTrue(System.nanoTime() < deadline, "the child never started");
                        Thread.sleep(2);
                    }
                    Thread.sleep(5 + s.random.nextInt(100));
                    child.kill();
                }
                assertTrue(lock.tryLock(5, TimeUnit.SECONDS), "the dead holder's lock was not released");
                try {
                    takenFromDead += lock.previousOwnerDied() ? 1 : 0;
                    if (!ns.get("a").equals(ns.get("b"))) {
                        assertTrue(lock.previousOwnerDied(), "torn but nobody was told");
                        torn++;
                        ns.set("b", ns.get("a"));
                    }
                } finally {
                    lock.unlock();
                }
                assertTrue(permits.tryAcquire(5, TimeUnit.SECONDS), "the dead holder's permit was not returned");
                permits.release();
            }
        }
        s.put("faults", rounds).put("lockTakenOverFromDeadOwner", takenFromDead).put("tornAndRepaired", torn)
                .put("permitsReturned", rounds).print();
    }

    @Test
    void poolWorkerKilledMidTaskFailsOnlyThatTask() throws Exception {
        Scenario s = new Scenario("pool-worker-killed");
        int rounds = 2 * Scenario.SOAK;
        int tasks = 20;
        int completed = 0;
        try (ProcessPool pool = ProcessPool.create(2); SharedLong victimPid = SharedLong.create(0)) {
            for (int round = 0; round < rounds; round++) {
                victimPid.set(0);
                int victim = s.random.nextInt(tasks);
                List<CompletableFuture<Integer>> futures = new ArrayList<>();
                for (int i = 0; i < tasks; i++) {
                    int task = i;
                    futures.add(pool.submit(() -> {
                        if (task == victim) {
                            victimPid.set(ProcessHandle.current().pid());
                            Thread.sleep(120_000);
                        }
                        Thread.sleep(10);
                        return task;
                    }));
                }
                long deadline = System.nanoTime() + BOUND.toNanos();
                while (victimPid.get() == 0) {
                    assertTrue(System.nanoTime() < deadline, "the victim task never ran");
                    Thread.sleep(1);
                }
                ProcessHandle.of(victimPid.get()).ifPresent(ProcessHandle::destroyForcibly);
                for (int i = 0; i < tasks; i++) {
                    if (i == victim) {
                        int index = i;
                        ExecutionException e = assertThrows(ExecutionException.class,
                                () -> futures.get(index).get(60, TimeUnit.SECONDS));
                        assertInstanceOf(WorkerDiedException.class, e.getCause());
                    } else {
                        assertEquals(i, futures.get(i).get(60, TimeUnit.SECONDS));
                        completed++;
                    }
                }
                assertEquals(7, pool.submit(() -> 7).get(60, TimeUnit.SECONDS), "the pool still serves");
            }
        }
        s.put("faults", rounds).put("otherTasksCompleted", completed).print();
    }

    @Test
    void killedParentLeavesNoChildBehind() throws Exception {
        Scenario s = new Scenario("parent-killed");
        int rounds = 2 * Scenario.SOAK;
        long slowestMs = 0;
        for (int round = 0; round < rounds; round++) {
            List<Long> pids;
            long parentPid;
            try (ChildJvm parent = ChildJvm.task(() -> {
                JvmProcess daemon = JvmProcess.builder().daemon(true).target(() -> sleep()).start();
                JvmProcess plain = JvmProcess.builder().target(() -> sleep()).start();
                ProcessPool pool = ProcessPool.builder().size(2).growAfter(java.time.Duration.ZERO).create();
                pool.map(i -> i, List.of(1, 2, 3, 4));
                Manager manager = Manager.start();
                manager.namespace().set("x", 1);
                StringBuilder line = new StringBuilder("pids:");
                ProcessHandle.current().descendants().forEach(p -> line.append(' ').append(p.pid()));
                System.out.println(line);
                Thread.sleep(120_000);
                daemon.close();
                plain.close();
                pool.close();
                manager.close();
            }).start()) {
                String out = parent.awaitOutput("pids:", BOUND).stdout();
                String line = out.lines().filter(l -> l.startsWith("pids:")).findFirst().orElseThrow();
                pids = Arrays.stream(line.substring(5).trim().split(" ")).map(Long::parseLong).toList();
                assertTrue(pids.size() >= 5, "expected 2 children, 2 workers and a manager: " + pids);
                parentPid = parent.pid();
                parent.kill();
            }
            long killed = System.nanoTime();
            long deadline = killed + 5_000_000_000L;
            while (pids.stream().anyMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))) {
                assertTrue(System.nanoTime() < deadline, "children outlived their killed parent by 5 s");
                Thread.sleep(10);
            }
            long ms = (System.nanoTime() - killed) / 1_000_000;
            slowestMs = Math.max(slowestMs, ms);
            assertTrue(ms <= 2_000, "the last child exited " + ms + " ms after its parent was killed");
            // What the dead parent's manager left (its socket directory) goes with the next clean-up.
            dev.procshare.manager.ManagerSockets.cleanStale(false);
            assertTrue(dev.procshare.manager.ManagerSockets.list().stream().noneMatch(
                    sock -> ProcessHandle.of(sock.creatorPid()).isEmpty()), "a dead parent's socket directory is left");
            // And its children's control directory, which the next JVM to start children removes; this one has
            // started its own long ago, so the test does what that JVM would.
            for (java.nio.file.Path dir : dev.procshare.process.PrivateDirectory.list("procshare-ctl-")) {
                if (dev.procshare.process.PrivateDirectory.creatorPid(dir, "procshare-ctl-").orElse(-1) == parentPid) {
                    dev.procshare.process.PrivateDirectory.delete(dir);
                }
            }
        }
        s.put("faults", rounds).put("childrenPerRound", "2 processes + 2 pool workers + 1 manager")
                .put("slowestExitAfterParentDeathMs", slowestMs).print();
    }

    private static void sleep() {
        try {
            Thread.sleep(300_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void killedManagerServerFailsCallsFastAndANewOneTakesTheAddress(@TempDir Path dir) throws Exception {
        Scenario s = new Scenario("manager-server-killed");
        String address = "unix:" + dir.resolve("m.sock");
        long slowestMs = 0;
        int failedCalls = 0;
        int rounds = 2 * Scenario.SOAK;
        for (int round = 0; round < rounds; round++) {
            Manager manager = Manager.builder().address(address).start();
            try {
                Namespace ns = manager.namespace();
                ns.set("x", round);
                List<CompletableFuture<Throwable>> blocked = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    java.util.concurrent.BlockingQueue<Object> q = manager.queue();
                    blocked.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            q.take();
                            return null;
                        } catch (Throwable e) {
                            return e;
                        }
                    }));
                }
                Thread.sleep(100 + s.random.nextInt(100));
                ProcessHandle.of(manager.serverPid().orElseThrow()).orElseThrow().destroyForcibly();
                long killed = System.nanoTime();
                for (CompletableFuture<Throwable> f : blocked) {
                    assertInstanceOf(ManagerUnavailableException.class, f.get(5, TimeUnit.SECONDS));
                    failedCalls++;
                }
                for (int i = 0; i < 10; i++) {
                    assertThrows(ManagerUnavailableException.class, () -> ns.get("x"));
                    failedCalls++;
                }
                long ms = (System.nanoTime() - killed) / 1_000_000;
                slowestMs = Math.max(slowestMs, ms);
                assertTrue(ms < 1_000, "calls failed only after " + ms + " ms");
            } finally {
                manager.close();
            }
        }
        try (Manager fresh = Manager.builder().address(address).start()) {
            Namespace ns = fresh.namespace();
            ns.set("again", true);
            assertEquals(true, ns.get("again"), "a new server serves on the dead one's address");
        }
        s.put("faults", rounds).put("callsFailedCleanly", failedCalls).put("slowestFailureMs", slowestMs).print();
    }

    @Test
    void killedSegmentCreatorLeavesOnlyCompleteSegmentsAndCleanStaleRemovesThem(@TempDir Path dir) throws Exception {
        Scenario s = new Scenario("segment-creator-killed");
        int rounds = 4 * Scenario.SOAK;
        int complete = 0;
        int removed = 0;
        String where = dir.toString();
        try (SharedBoolean started = SharedBoolean.create(false)) {
            for (int round = 0; round < rounds; round++) {
                started.set(false);
                try (ChildJvm child = ChildJvm.task(() -> {
                    java.util.Random r = new java.util.Random();
                    started.set(true);
                    List<SharedMemory> kept = new ArrayList<>();
                    while (true) {
                        SharedMemory m = SharedMemory.builder().directory(Path.of(where)).size(1 + r.nextInt(1 << 20)).create();
                        if (r.nextBoolean()) {
                            kept.add(m); // left behind by the kill
                        } else {
                            m.close();
                        }
                    }
                }).start()) {
                    await(started);
                    Thread.sleep(20 + s.random.nextInt(150));
                    child.kill();
                }
                for (SegmentInfo info : SharedMemory.list(dir)) {
                    assertNull(info.problem(), "a half-made segment is visible: " + info);
                    assertTrue(!info.ownerAlive(), "its owner is dead");
                    complete++;
                }
                removed += SharedMemory.cleanStale(dir).size();
                try (Stream<Path> left = Files.list(dir)) {
                    assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(), "cleanStale left files");
                }
            }
        }
        s.put("faults", rounds).put("segmentsFoundComplete", complete).put("filesRemovedByCleanStale", removed).print();
    }

    @Test
    void killedBulkWriterLeavesAnArrayThatIsCompleteOrDetectablyNot() throws Exception {
        Scenario s = new Scenario("bulk-writer-killed");
        int rounds = 4 * Scenario.SOAK;
        int partial = 0;
        try (SharedDoubleArray array = SharedDoubleArray.create(1_000_000);
             SharedLong done = SharedLong.create(0);
             SharedBoolean started = SharedBoolean.create(false)) {
            for (int round = 0; round < rounds; round++) {
                started.set(false);
                long from = done.get();
                try (ChildJvm child = ChildJvm.task(() -> {
                    double[] local = new double[1_000_000];
                    started.set(true);
                    for (long g = from + 1; ; g++) {
                        Arrays.fill(local, g);
                        array.copyFrom(local);
                        done.set(g); // the marker: generation g is complete
                    }
                }).start()) {
                    await(started);
                    Thread.sleep(10 + s.random.nextInt(100));
                    child.kill();
                }
                long d = done.get();
                int ahead = 0;
                for (int i = 0; i < array.length(); i++) {
                    double v = array.get(i);
                    assertTrue(v == d || v == d + 1, "element " + i + " = " + v + " with marker " + d);
                    ahead += v == d + 1 ? 1 : 0;
                }
                partial += ahead > 0 ? 1 : 0;
            }
        }
        s.put("faults", rounds).put("killedMidWrite", partial).put("garbageElements", 0).print();
    }
}
