package dev.procshare.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.procshare.process.JvmProcess;
import dev.procshare.testkit.NoLeaks;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One server thread polls every shared-memory connection and runs their calls: a call that waits or takes
 * long must hand the polling over, so that the other clients are served meanwhile; an idle server sleeps.
 * Each thread of a client calls on its own connection while another thread's call is under way, so threads
 * here stand for clients. The servers run in this JVM, so the tests can look at their threads' stacks.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class ShmDispatcherTest {
    private static final byte[] KEY = "a key for the dispatcher tests, 32+ bytes".getBytes();
    private static final String SERVED_EVENT = ServedEvent.class.getName();
    private static final String SERVED_LOCK = ServedLock.class.getName();

    @Test
    void aUserMethodThatBlocksDoesNotHoldUpTheOtherClients() throws Exception {
        ManagerFixtures.Gate.close();
        try (Manager manager = Manager.builder().inProcess()
                .register("Gate", ManagerFixtures.GateApi.class, ManagerFixtures.Gate::new).start()) {
            // the calls on one instance run one at a time: the gate is watched and opened through another
            ManagerFixtures.GateApi gate = manager.create("Gate", ManagerFixtures.GateApi.class);
            ManagerFixtures.GateApi keeper = manager.create("Gate", ManagerFixtures.GateApi.class);
            Namespace ns = manager.namespace();
            ns.set("x", 1);
            AtomicReference<Object> passed = new AtomicReference<>();
            Thread blocked = start(() -> passed.set(gate.pass(20_000)));
            try {
                awaitTrue(() -> keeper.waiting() == 1, "the blocking call started");
                for (int i = 0; i < 1_000; i++) {
                    assertEquals(1, (Integer) ns.get("x"));
                }
                keeper.open(); // served while pass() runs in the server, or pass() times out and answers false
                blocked.join(10_000);
                assertEquals(Boolean.TRUE, passed.get());
            } finally {
                ManagerFixtures.Gate.openFromHere();
            }
        }
    }

    @Test
    void callsThatWaitForALockHandThePollingOverThemselves() throws Exception {
        long tick = ShmDispatcher.tickNanos;
        ShmDispatcher.tickNanos = TimeUnit.HOURS.toNanos(1); // no watchdog to rescue a waiting leader
        try (Manager manager = Manager.builder().inProcess().start()) {
            ManagedLock lock = manager.lock();
            ManagedValue<Integer> count = manager.value(0);
            String address = manager.address();
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
                }));
            }
            awaitTrue(() -> serverThreadsIn(address, SERVED_LOCK) == 8, "all eight wait in the server at once");
            for (int i = 0; i < 1_000; i++) {
                count.get();
            }
            lock.unlock();
            for (Thread t : waiters) {
                t.join(20_000);
            }
            assertEquals(8, acquired.get());
            assertEquals(8, (int) count.get());
        } finally {
            ShmDispatcher.tickNanos = tick;
        }
    }

    @Test
    void aClientKilledWhileTheServerNeverSleepsHasItsLockReleased() throws Exception {
        long poll = ShmDispatcher.pollNanos;
        ShmDispatcher.pollNanos = Long.MAX_VALUE; // the hang-up is heard by the busy leader's own looks
        try (Manager manager = Manager.builder().inProcess().start()) {
            ManagedLock lock = manager.lock();
            ManagedEvent holding = manager.event();
            Namespace ns = manager.namespace();
            ns.set("x", 1);
            AtomicInteger busyCalls = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            Thread busy = start(() -> {
                while (!stop.get()) {
                    ns.get("x");
                    busyCalls.incrementAndGet();
                }
            });
            try (JvmProcess holder = JvmProcess.builder().target(() -> {
                lock.lock();
                holding.set();
                try {
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).start()) {
                assertTrue(holding.await(40, TimeUnit.SECONDS), "the child never took the lock");
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
        } finally {
            ShmDispatcher.pollNanos = poll;
        }
    }

    @Test
    void waitingCallsGetNewThreadsAfterSpareOnesHaveEnded() throws Exception {
        long spare = ShmDispatcher.spareMillis;
        ShmDispatcher.spareMillis = 100;
        try (Manager manager = Manager.builder().inProcess().start()) {
            String address = manager.address();
            ManagedEvent first = manager.event();
            List<Thread> clients = waitOn(first, 8, new AtomicInteger()); // eight connections, a thread each
            awaitTrue(() -> serverThreadsIn(address, SERVED_EVENT) == 8, "eight calls wait in the server");
            first.set();
            join(clients);
            awaitTrue(() -> serverThreads(address, "procshare-manager-shm").size() <= 3,
                    "spare threads beyond two end (one more leads)");
            ManagedEvent second = manager.event();
            AtomicInteger released = new AtomicInteger();
            List<Thread> waiters = waitOn(second, 8, released); // the same connections: no thread comes with them
            awaitTrue(() -> serverThreadsIn(address, SERVED_EVENT) == 8, "eight calls wait in the server again");
            assertFalse(second.isSet(), "a call served while eight wait");
            second.set();
            join(waiters);
            assertEquals(8, released.get());
        } finally {
            ShmDispatcher.spareMillis = spare;
        }
    }

    @Test
    void anIdleServerUsesNoCpu() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled(), "no thread CPU time here");
        try (Manager manager = Manager.builder().inProcess().start()) {
            Namespace ns = manager.namespace();
            ns.set("x", 1);
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                clients.add(start(() -> {
                    for (int n = 0; n < 20_000; n++) {
                        ns.get("x");
                    }
                }));
            }
            join(clients);
            String address = manager.address();
            Thread.sleep(300);
            List<Thread> server = serverThreads(address, "procshare-manager");
            assertTrue(server.size() >= 3, "the dispatcher's threads and the acceptor: " + server);
            long before = cpuNanos(mx, server);
            Thread.sleep(1_000);
            long used = cpuNanos(mx, server) - before;
            // the leader wakes once a second and polls 50 µs; a thread that spun or ticked would use far more
            assertTrue(used < 10_000_000, "idle server threads used " + used / 1_000 + " µs of CPU in 1 s");
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
            waiter.setDaemon(true);
            waiter.start();
            awaitTrue(() -> serverThreadsIn(address, SERVED_EVENT) == 1, "the call waits in the server");
            server.close();
            waiter.join(10_000);
            assertInstanceOf(ManagerUnavailableException.class, failure.get());
            awaitTrue(() -> serverThreads(address, "procshare-manager").isEmpty(), "the server's threads end");
        } finally {
            server.close();
        }
    }

    private interface Body {
        void run() throws Exception;
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

    private static List<Thread> waitOn(ManagedEvent event, int n, AtomicInteger released) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            threads.add(start(() -> {
                if (event.await(20, TimeUnit.SECONDS)) {
                    released.incrementAndGet();
                }
            }));
        }
        return threads;
    }

    private static void join(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join(20_000);
            assertFalse(t.isAlive(), "a client thread is still busy");
        }
    }

    /** The live threads of the server at {@code address} whose name starts with {@code prefix}. */
    private static List<Thread> serverThreads(String address, String prefix) {
        List<Thread> found = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.getName().endsWith(address) && t.isAlive()) {
                found.add(t);
            }
        }
        return found;
    }

    /** How many of that server's threads are inside a method of {@code className} now. */
    private static int serverThreadsIn(String address, String className) {
        int n = 0;
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getName().endsWith(address)) {
                for (StackTraceElement frame : e.getValue()) {
                    if (frame.getClassName().equals(className)) {
                        n++;
                        break;
                    }
                }
            }
        }
        return n;
    }

    private static long cpuNanos(ThreadMXBean mx, List<Thread> threads) {
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
