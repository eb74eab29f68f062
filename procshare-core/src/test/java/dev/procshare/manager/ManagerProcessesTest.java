package dev.procshare.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.manager.contract.ContractFixtures;
import dev.procshare.process.JvmProcess;
import dev.procshare.process.ProcessPool;
import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.NoLeaks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The manager's promises across real JVMs: the server in its own JVM, clients in child JVMs. */
@ExtendWith(NoLeaks.class)
@Timeout(180)
class ManagerProcessesTest {
    private static final Duration BOUND = Duration.ofSeconds(90);

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    @Test
    void seedSectionTwoPoolOfFourUpdatesOneNamespaceObjectExactly() throws Exception {
        try (Manager manager = Manager.start();
             ProcessPool pool = ProcessPool.create(4)) {
            Namespace ns = manager.namespace();
            ns.set("myObject", new ManagerFixtures.Tally());
            pool.map(i -> ns.update("myObject", (ManagerFixtures.Tally t) -> {
                t.increment();
                return t;
            }), List.of(1, 2, 3, 4));
            ManagerFixtures.Tally result = ns.get("myObject");
            assertEquals(4, result.count(), "update is atomic: no lost increment");

            ManagedValue<ManagerFixtures.Tally> value = manager.value(new ManagerFixtures.Tally());
            List<ManagerFixtures.Tally> list = manager.list();
            pool.map(i -> {
                value.update(t -> {
                    t.increment();
                    return t;
                });
                list.add(new ManagerFixtures.Tally());
                return i;
            }, List.of(1, 2, 3, 4));
            assertEquals(4, value.get().count());
            assertEquals(4, list.size(), "a manager list holds user objects (the seed's Array('d', [MyClass()]))");
        }
    }

    @Test
    void seedSectionThreeViewerModifierAndMainShareOneRegisteredObject() throws Exception {
        try (Manager manager = Manager.builder()
                .register("Test", ContractFixtures.CounterApi.class, ContractFixtures.Counter::new).start()) {
            ContractFixtures.CounterApi test = manager.create("Test", ContractFixtures.CounterApi.class);
            ManagedEvent modified = manager.event();
            try (JvmProcess viewer = JvmProcess.builder().name("viewer").call(() -> {
                     List<Integer> seen = new ArrayList<>();
                     seen.add(test.total());
                     if (!modified.await(30, TimeUnit.SECONDS)) {
                         throw new IllegalStateException("modifier never ran");
                     }
                     seen.add(test.total());
                     return seen;
                 }).start();
                 JvmProcess modifier = JvmProcess.builder().name("modifier").target(() -> {
                     test.add(10);
                     modified.set();
                 }).start()) {
                assertTrue(modifier.join(BOUND));
                assertEquals(0, modifier.exitCode().getAsInt());
                List<Integer> seen = viewer.result(BOUND);
                assertEquals(10, seen.get(1), "the viewer sees the modifier's change");
                test.add(5);
                assertEquals(15, test.total(), "the main process's change lands on the same instance");
            }
        }
    }

    @Test
    void eightProcessesIncrementingFourKindsOfObjectLoseNothing() throws Exception {
        int processes = 8;
        int increments = 10_000;
        try (Manager manager = Manager.builder()
                .register("Counter", ContractFixtures.CounterApi.class, ContractFixtures.Counter::new).start()) {
            Namespace ns = manager.namespace();
            ns.set("n", 0);
            SharedMap<String, Integer> map = manager.map();
            map.put("n", 0);
            ManagedValue<Long> value = manager.value(0L);
            ContractFixtures.CounterApi counter = manager.create("Counter", ContractFixtures.CounterApi.class);
            List<JvmProcess> children = new ArrayList<>();
            try {
                for (int p = 0; p < processes; p++) {
                    children.add(JvmProcess.builder().target(() -> {
                        for (int i = 0; i < increments; i++) {
                            ns.update("n", (Integer v) -> v + 1);
                            map.merge("n", 1, Integer::sum);
                            value.update(v -> v + 1);
                            counter.add(1);
                        }
                    }).start());
                }
                for (JvmProcess child : children) {
                    assertTrue(child.join(BOUND), "a child did not finish");
                    assertEquals(0, child.exitCode().getAsInt());
                }
            } finally {
                children.forEach(JvmProcess::close);
            }
            int total = processes * increments;
            assertEquals(total, (Integer) ns.get("n"));
            assertEquals(total, map.get("n"));
            assertEquals(total, value.get());
            assertEquals(total, counter.total());
        }
    }

    @Test
    void lockHeldByAKilledClientIsReleasedAndTheNextOwnerIsTold() throws Exception {
        try (Manager manager = Manager.start()) {
            ManagedLock lock = manager.lock();
            ManagedSemaphore permits = manager.semaphore(1);
            ManagedEvent holding = manager.event();
            try (JvmProcess holder = JvmProcess.builder().target(() -> {
                lock.lock();
                try {
                    permits.acquire();
                    holding.set();
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).start()) {
                assertTrue(holding.await(90, TimeUnit.SECONDS), "the child never took the lock");
                assertTrue(lock.isLocked());
                holder.kill();
                assertTrue(lock.tryLock(5, TimeUnit.SECONDS), "the dead holder's lock is released");
                assertTrue(lock.previousOwnerDied(), "and the next owner learns why");
                lock.unlock();
                assertTrue(permits.tryAcquire(5, TimeUnit.SECONDS), "its permit is returned");
            }
        }
    }

    @Test
    void aProcessWithoutTheKeyIsRefusedWithAClearError() throws Exception {
        try (Manager manager = Manager.start()) {
            String address = manager.address();
            // ChildJvm is a plain JVM, not started by procshare: it did not inherit the auth key.
            ChildJvm.task(() -> {
                try {
                    Manager.connect(address).namespace();
                    System.exit(3);
                } catch (AuthenticationException e) {
                    System.out.println(e.getMessage());
                }
            }).run().assertSuccess();
            try (JvmProcess child = JvmProcess.builder().call(() -> {
                try (Manager m = Manager.connect(address)) {
                    Namespace ns = m.namespace();
                    ns.set("from", "child");
                    return ns.get("from");
                }
            }).start()) {
                assertEquals("child", child.result(BOUND), "a JvmProcess inherits the key");
            }
        }
    }

    @Test
    void killedServerFailsEveryCallWithinOneSecond() throws Exception {
        Manager manager = Manager.start();
        try {
            BlockingQueue<String> queue = manager.queue();
            Namespace ns = manager.namespace();
            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    queue.take();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(200);
            long pid = manager.serverPid().orElseThrow();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            long start = System.nanoTime();
            Throwable waiting = blocked.get(5, TimeUnit.SECONDS);
            assertInstanceOf(ManagerUnavailableException.class, waiting, String.valueOf(waiting));
            ManagerUnavailableException next = assertThrows(ManagerUnavailableException.class, () -> ns.get("x"));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 1_000, "calls failed after " + ms + " ms");
            assertTrue(next.getMessage().contains(manager.address()), next.getMessage());
        } finally {
            manager.close();
        }
    }

    @Test
    void proxiesPassedToChildrenReachTheSameObjectsAndRefsAreReleased() throws Exception {
        try (Manager manager = Manager.builder().inProcess().start()) {
            BlockingQueue<Integer> queue = manager.queue();
            try (ProcessPool pool = ProcessPool.create(2)) {
                pool.map(i -> {
                    queue.offer(i);
                    return i;
                }, IntStream.range(0, 100).boxed().toList());
            }
            List<Integer> got = new ArrayList<>();
            queue.drainTo(got);
            got.sort(null);
            assertEquals(IntStream.range(0, 100).boxed().toList(), got);
            assertNotNull(queue);
        }
    }

    @Test
    void startReturnsBeforeTheServerListensAndAServerThatCannotStartFailsTheFirstCallClearly() throws Exception {
        // start() does not wait for the server's JVM; the first call does, and reports why it never listened
        try (Manager manager = Manager.builder().jvmOptions("-XX:+NoSuchOptionForTheTest").warm(false).start()) {
            assertTrue(manager.toString().contains("unix:"), manager.toString());
            long t0 = System.nanoTime();
            ManagerException first = assertThrows(ManagerException.class, manager::namespace);
            assertTrue(first.getMessage().contains("exited before it listened"), first.getMessage());
            assertTrue(System.nanoTime() - t0 < BOUND.toNanos(), "bounded by the start timeout");
            ManagerException again = assertThrows(ManagerException.class, () -> manager.list());
            assertTrue(again.getMessage().contains("exited before it listened"), "every call says so: " + again);
            ManagerException address = assertThrows(ManagerException.class, manager::address);
            assertTrue(address.getMessage().contains("exited before it listened"), "so does address(): " + address);
        }
        try (Manager manager = Manager.start()) { // and a good one serves at once after start() returned
            Namespace ns = manager.namespace();
            ns.set("x", 1);
            assertEquals(1, (Integer) ns.get("x"));
        }
    }

    @Test
    void aManagerClosedRightAfterStartLeavesNoServerBehind() throws Exception {
        // start() returns before the server's JVM is even launched: close() waits for the launch and stops it.
        Manager manager = Manager.builder().warm(false).start();
        manager.close();
        long pid = manager.serverPid().orElseThrow(() -> new AssertionError("no server JVM: " + manager));
        java.util.Optional<ProcessHandle> server = ProcessHandle.of(pid);
        if (server.isPresent()) {
            server.get().onExit().get(BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "server pid " + pid + " still runs");
        assertTrue(manager.toString().contains("closed"), manager.toString());
    }
}
