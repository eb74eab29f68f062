package dev.procshare.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.testkit.NoLeaks;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One server thread polls every shared-memory connection and runs their calls: a call that waits or takes
 * long must hand the polling over, so that the other clients are served meanwhile; an idle server sleeps.
 * Each thread of a client calls on its own connection, so threads here stand for clients.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class ShmDispatcherTest {
    private static final byte[] KEY = "a key for the dispatcher tests, 32+ bytes".getBytes();

    @Test
    void aUserMethodThatBlocksDoesNotHoldUpTheOtherClients() throws Exception {
        try (Manager manager = Manager.builder().inProcess()
                .register("Gate", ManagerFixtures.GateApi.class, ManagerFixtures.Gate::new).start()) {
            ManagerFixtures.Gate.close();
            ManagerFixtures.GateApi gate = manager.create("Gate", ManagerFixtures.GateApi.class);
            ManagerFixtures.GateApi keeper = manager.create("Gate", ManagerFixtures.GateApi.class);
            Namespace ns = manager.namespace();
            ns.set("x", 1);
            AtomicReference<Object> passed = new AtomicReference<>();
            Thread blocked = start(() -> {
                passed.set(gate.pass(20_000));
                return null;
            });
            awaitTrue(() -> keeper.waiting() == 1, "the blocking call started");
            for (int i = 0; i < 1_000; i++) {
                assertEquals(1, (Integer) ns.get("x"));
            }
            keeper.open(); // served while pass() runs in the server, or pass() times out and answers false
            blocked.join(10_000);
            assertEquals(Boolean.TRUE, passed.get());
        }
    }

    @Test
    void clientsAreServedWhileOthersWaitForALock() throws Exception {
        try (Manager manager = Manager.builder().inProcess().start()) {
            ManagedLock lock = manager.lock();
            ManagedValue<Integer> count = manager.value(0);
            lock.lock();
            AtomicInteger acquired = new AtomicInteger();
            List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                waiters.add(start(() -> {
                    if (lock.tryLock(20, TimeUnit.SECONDS)) {
                        try {
                            count.update(n -> n + 1);
                            acquired.incrementAndGet();
                        } finally {
                            lock.unlock();
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(200); // the waiters are in the server by now, most likely; the test holds either way
            for (int i = 0; i < 1_000; i++) {
                count.get();
            }
            lock.unlock();
            for (Thread t : waiters) {
                t.join(20_000);
            }
            assertEquals(8, acquired.get());
            assertEquals(8, (int) count.get());
        }
    }

    @Test
    void aClientKilledWhileOthersKeepTheServerBusyHasItsLockReleased() throws Exception {
        try (Manager manager = Manager.start()) {
            ManagedLock lock = manager.lock();
            ManagedEvent holding = manager.event();
            Namespace ns = manager.namespace();
            ns.set("x", 1);
            AtomicInteger busyCalls = new AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            // calls without a pause: the hang-up must be heard while the server is busy with another client
            Thread busy = start(() -> {
                while (!stop.get()) {
                    ns.get("x");
                    busyCalls.incrementAndGet();
                }
                return null;
            });
            try (dev.procshare.process.JvmProcess holder = dev.procshare.process.JvmProcess.builder().target(() -> {
                lock.lock();
                holding.set();
                try {
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).start()) {
                assertTrue(holding.await(90, TimeUnit.SECONDS), "the child never took the lock");
                holder.kill();
                int before = busyCalls.get();
                assertTrue(lock.tryLock(5, TimeUnit.SECONDS), "the dead holder's lock is released");
                assertTrue(lock.previousOwnerDied());
                lock.unlock();
                assertTrue(busyCalls.get() > before, "the busy client was served all along");
            } finally {
                stop.set(true);
                busy.join(10_000);
            }
        }
    }

    @Test
    void waitingCallsGetThreadsAfterSpareOnesHaveEnded() throws Exception {
        long spare = ShmDispatcher.spareMillis;
        ShmDispatcher.spareMillis = 100;
        try (Manager manager = Manager.builder().inProcess().start()) {
            ManagedEvent event = manager.event();
            String address = managerAddress(manager);
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                clients.add(start(event::isSet)); // eight connections, each bringing a thread
            }
            for (Thread t : clients) {
                t.join(10_000);
            }
            awaitTrue(() -> serverThreads(address, "procshare-manager-shm").size() <= 3,
                    "spare threads beyond two end (one more leads)");
            AtomicInteger released = new AtomicInteger();
            List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                waiters.add(start(() -> event.await(20, TimeUnit.SECONDS) && released.incrementAndGet() > 0));
            }
            Thread.sleep(200);
            assertFalse(event.isSet(), "a call served while eight wait");
            event.set();
            for (Thread t : waiters) {
                t.join(20_000);
            }
            assertEquals(8, released.get());
        } finally {
            ShmDispatcher.spareMillis = spare;
        }
    }

    @Test
    void anIdleServerUsesNoCpu() throws Exception {
        try (Manager manager = Manager.builder().inProcess().start()) {
            Namespace ns = manager.namespace();
            ns.set("x", 1);
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                clients.add(start(() -> {
                    for (int n = 0; n < 20_000; n++) {
                        ns.get("x");
                    }
                    return null;
                }));
            }
            for (Thread t : clients) {
                t.join(30_000);
            }
            String address = managerAddress(manager);
            Thread.sleep(300);
            List<Thread> server = serverThreads(address, "procshare-manager");
            assertTrue(server.size() >= 2, "the dispatcher's threads: " + server);
            long before = cpuNanos(server);
            Thread.sleep(1_000);
            long used = cpuNanos(server) - before;
            assertTrue(used < 50_000_000, "idle server threads used " + used / 1_000_000 + " ms of CPU in 1 s");
        }
    }

    @Test
    void closingTheServerFailsWaitingCallsAndEndsItsThreads() throws Exception {
        ManagerServer server = Manager.builder().authKey(KEY).serve();
        String address = server.address();
        try (Manager client = Manager.connect(address, KEY)) {
            ManagedEvent event = client.event();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    event.await(20, TimeUnit.SECONDS);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            waiter.start();
            awaitTrue(() -> serverThreads(address, "procshare-manager-shm").size() >= 2, "the call waits on its thread");
            Thread.sleep(100);
            server.close();
            waiter.join(10_000);
            assertInstanceOf(ManagerUnavailableException.class, failure.get());
            awaitTrue(() -> serverThreads(address, "procshare-manager").isEmpty(), "the server's threads end");
        } finally {
            server.close();
        }
    }

    private interface Body {
        Object run() throws Exception;
    }

    private static Thread start(Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String managerAddress(Manager manager) {
        return manager.address();
    }

    private static List<Thread> serverThreads(String address, String prefix) {
        List<Thread> found = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.getName().endsWith(address) && t.isAlive()) {
                found.add(t);
            }
        }
        return found;
    }

    private static long cpuNanos(List<Thread> threads) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : threads) {
            sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
        }
        return sum;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 10 s: " + what);
            Thread.sleep(10);
        }
    }
}
