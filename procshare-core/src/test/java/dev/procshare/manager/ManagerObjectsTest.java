package dev.procshare.manager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.manager.contract.ContractFixtures;
import dev.procshare.testkit.NoLeaks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every kind of managed object, through a real socket to a server in this JVM. */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class ManagerObjectsTest {
    private static Manager manager;

    @BeforeAll
    static void start() {
        manager = Manager.builder().inProcess()
                .register("Counter", ContractFixtures.CounterApi.class, ContractFixtures.Counter::new)
                .register("Box", ManagerFixtures.BoxApi.class, args -> new ManagerFixtures.Box((String) args[0]))
                .start();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void namespaceGetSetDeleteUpdate() {
        Namespace ns = manager.namespace();
        assertNull(ns.get("x"));
        ns.set("x", 41);
        ns.set("name", "seed");
        assertEquals(41, (Integer) ns.get("x"));
        assertEquals(42, (Integer) ns.update("x", (Integer v) -> v + 1));
        assertTrue(ns.compareAndSet("x", 42, 50));
        assertFalse(ns.compareAndSet("x", 42, 60));
        assertEquals(Set.of("name", "x"), ns.keys());
        assertTrue(ns.contains("name"));
        assertTrue(ns.delete("name"));
        assertFalse(ns.delete("name"));
        assertEquals("Namespace{x=50}", ns.toString());
    }

    @Test
    void mapIsAConcurrentMapWithServerSideFunctions() {
        SharedMap<String, Integer> map = manager.map();
        assertNull(map.put("a", 1));
        assertEquals(1, map.putIfAbsent("a", 5));
        assertEquals(3, map.merge("a", 2, Integer::sum));
        assertEquals(10, map.computeIfAbsent("b", k -> 10));
        assertEquals(Map.of("a", 3, "b", 10), Map.copyOf(map));
        assertTrue(map.replace("b", 10, 11));
        map.keySet().removeIf(k -> k.equals("a"));
        assertEquals(Map.of("b", 11), Map.copyOf(map));
        java.util.function.BiFunction<String, Integer, Integer> notSerializable = (k, v) -> v;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> map.compute("b", notSerializable));
        assertTrue(e.getMessage().contains("serializable"), e.getMessage());
        assertThrows(NullPointerException.class, () -> map.put("c", null));
    }

    @Test
    void listSetAndValue() {
        List<String> list = manager.list();
        list.add("a");
        list.addAll(List.of("b", "c"));
        list.add(0, "z");
        assertEquals(List.of("z", "a", "b", "c"), new ArrayList<>(list));
        assertEquals("c", list.remove(3));
        assertEquals(2, list.indexOf("b"));
        assertEquals("[z, a, b]", list.toString());
        assertThrows(IndexOutOfBoundsException.class, () -> list.get(10));

        Set<Integer> set = manager.set();
        assertTrue(set.add(1));
        assertFalse(set.add(1));
        set.addAll(List.of(2, 3));
        assertEquals(Set.of(1, 2, 3), Set.copyOf(set));

        ManagedValue<Integer> value = manager.value(0);
        assertEquals(5, value.update(v -> v + 5));
        assertTrue(value.compareAndSet(5, 6));
        assertEquals(6, value.getAndSet(7));
        assertEquals(7, value.get());
    }

    @Test
    void typedArrays() {
        ManagedDoubleArray d = manager.doubleArray(new double[] {1.5, 2.5});
        d.set(1, 4.0);
        assertEquals(5.0, d.addAndGet(0, 3.5));
        assertArrayEquals(new double[] {5.0, 4.0}, d.toArray());
        ManagedIntArray i = manager.intArray(3);
        i.copyFrom(1, new int[] {7, 8});
        assertArrayEquals(new int[] {0, 7, 8}, i.toArray());
        assertEquals(3, i.length());
        ManagedLongArray l = manager.longArray(new long[] {1, 2, 3});
        assertArrayEquals(new long[] {2, 3}, l.toArray(1, 3));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> l.get(3));
    }

    @Test
    void queueBlocksWithTimeoutsAndIsInterruptible() throws Exception {
        BlockingQueue<String> q = manager.queue(2);
        assertTrue(q.offer("a"));
        q.put("b");
        assertFalse(q.offer("c", 50, TimeUnit.MILLISECONDS), "full queue times out");
        assertEquals("a", q.take());
        assertEquals("b", q.poll(1, TimeUnit.SECONDS));
        assertNull(q.poll(20, TimeUnit.MILLISECONDS));
        assertThrows(NoSuchElementException.class, q::remove);

        AtomicReference<Throwable> outcome = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread taker = new Thread(() -> {
            try {
                waiting.countDown();
                q.take();
                outcome.set(new AssertionError("take returned"));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        taker.start();
        waiting.await();
        Thread.sleep(100);
        taker.interrupt();
        taker.join(5_000);
        assertInstanceOf(InterruptedException.class, outcome.get());
        q.put("after");
        assertEquals(List.of("after"), new ArrayList<>(q), "the cancelled take took nothing");
    }

    @Test
    void locksAreOwnedByThreadsAndConditionsWork() throws Exception {
        ManagedLock lock = manager.rlock();
        lock.lock();
        lock.lock();
        assertEquals(2, lock.getHoldCount());
        assertTrue(lock.isHeldByCurrentThread());
        AtomicReference<Boolean> other = new AtomicReference<>();
        Thread t = new Thread(() -> other.set(lock.tryLock()));
        t.start();
        t.join();
        assertFalse(other.get(), "another thread cannot take a held lock");
        lock.unlock();
        lock.unlock();
        assertFalse(lock.isLocked());
        assertThrows(IllegalMonitorStateException.class, lock::unlock);

        ManagedLock plain = manager.lock();
        Condition ready = manager.condition(plain);
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Boolean> signalled = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            plain.lock();
            try {
                started.countDown();
                signalled.set(ready.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                signalled.set(false);
            } finally {
                plain.unlock();
            }
        });
        waiter.start();
        started.await();
        plain.lock(); // only possible once the waiter released it in await
        ready.signal();
        plain.unlock();
        waiter.join(10_000);
        assertTrue(signalled.get());
    }

    @Test
    void semaphoreEventBarrier() throws Exception {
        ManagedSemaphore sem = manager.boundedSemaphore(2);
        assertTrue(sem.tryAcquire());
        sem.acquire();
        assertFalse(sem.tryAcquire(20, TimeUnit.MILLISECONDS));
        sem.release(2);
        assertThrows(IllegalStateException.class, sem::release);
        assertEquals(2, sem.availablePermits());

        ManagedEvent event = manager.event();
        assertFalse(event.await(20, TimeUnit.MILLISECONDS));
        Thread setter = new Thread(() -> {
            sleep(50);
            event.set();
        });
        setter.start();
        assertTrue(event.await(10, TimeUnit.SECONDS));
        setter.join();

        ManagedBarrier barrier = manager.barrier(2);
        AtomicReference<Integer> index = new AtomicReference<>();
        Thread party = new Thread(() -> {
            try {
                index.set(barrier.await(10, TimeUnit.SECONDS));
            } catch (Exception e) {
                index.set(-1);
            }
        });
        party.start();
        int mine = barrier.await(10, TimeUnit.SECONDS);
        party.join();
        assertEquals(1, mine + index.get());
        assertThrows(TimeoutException.class, () -> barrier.await(50, TimeUnit.MILLISECONDS));
        assertTrue(barrier.isBroken());
        assertThrows(BrokenBarrierException.class, barrier::await);
        barrier.reset();
        assertFalse(barrier.isBroken());
    }

    @Test
    void registeredTypesRunOnOneInstance() {
        ContractFixtures.CounterApi a = manager.create("Counter", ContractFixtures.CounterApi.class);
        a.add(5);
        a.add(6);
        assertEquals(11, a.total());
        ManagerFixtures.BoxApi box = manager.create("Box", ManagerFixtures.BoxApi.class, "label");
        assertEquals("label", box.label());
        ContractFixtures.CounterApi inner = box.counter();
        inner.add(3);
        assertEquals(3, box.counter().total(), "a registered return type comes back as a proxy, not a copy");
        assertEquals(a, a);
        assertFalse(a.equals(inner));
        assertTrue(a.toString().startsWith("Counter#"), a.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.fail("boom"));
        assertEquals("boom", e.getMessage());
        assertTrue(List.of(e.getStackTrace()).stream().anyMatch(f -> f.getClassName().endsWith("Counter")),
                "the server-side stack trace comes back");
        assertThrows(IllegalArgumentException.class, () -> manager.create("Nope", ContractFixtures.CounterApi.class));
    }

    /** A codec that counts what it encodes, to show that server and client both use the one named. */
    public static final class CountingCodec implements CodecProvider {
        static final java.util.concurrent.atomic.AtomicInteger ENCODED = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public dev.procshare.codec.Codec create(dev.procshare.codec.AllowList allowList) {
            dev.procshare.codec.Codec inner = CodecProvider.standard().create(allowList);
            return new dev.procshare.codec.Codec() {
                @Override
                public byte[] encode(Object value) throws java.io.IOException {
                    ENCODED.incrementAndGet();
                    return inner.encode(value);
                }

                @Override
                public Object decode(byte[] bytes) throws java.io.IOException, ClassNotFoundException {
                    return inner.decode(bytes);
                }
            };
        }
    }

    @Test
    void theCodecIsPluggable() {
        int before = CountingCodec.ENCODED.get();
        try (Manager m = Manager.builder().inProcess().codec(CountingCodec.class).start()) {
            Namespace ns = m.namespace();
            ns.set("a", 1);
            assertEquals(1, (Integer) ns.get("a"));
        }
        assertTrue(CountingCodec.ENCODED.get() - before >= 6, "requests and replies went through it on both sides");
    }

    @Test
    void permitsReleasedByAnotherClientAreNotReturnedTwiceWhenTheTakerLeaves() throws Exception {
        ManagedSemaphore items = manager.semaphore(0);
        try (Manager consumer = Manager.connect(manager.address())) {
            ManagedSemaphore mine = consumer.semaphore(1); // another object of the consumer's, for the session
            items.release(2); // the producer
            ManagedSemaphore itemsForConsumer = items;
            assertTrue(itemsForConsumer.tryAcquire(1, TimeUnit.SECONDS));
            assertEquals(1, mine.availablePermits());
        }
        assertEquals(1, items.availablePermits(), "a consumer leaving must not mint permits");
    }

    @Test
    void valuesOfEverySizeCrossTheSharedMemoryChannelInPieces() {
        Namespace ns = manager.namespace();
        java.util.Random random = new java.util.Random(5);
        for (int size : new int[] {0, 1, ShmLink.CAPACITY - 64, ShmLink.CAPACITY, ShmLink.CAPACITY + 1, 1_000_000, 3_000_017}) {
            byte[] value = new byte[size];
            random.nextBytes(value);
            ns.set("blob", value);
            assertArrayEquals(value, ns.get("blob"), "size " + size);
        }
    }

    @Test
    void framesOverTheLimitFailTheCallNotTheSession() {
        try (Manager small = Manager.builder().inProcess().maxFrameBytes(4096).start()) {
            Namespace ns = small.namespace();
            ns.set("ok", 1);
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> ns.set("x", new byte[10_000]));
            assertTrue(big.getMessage().contains("frame limit"), big.getMessage());
            List<String> list = small.list();
            for (int i = 0; i < 20; i++) {
                list.add("x".repeat(300)); // each call fits; the whole list (6 KB) does not
            }
            ManagerException reply = assertThrows(ManagerException.class, list::toString);
            assertTrue(reply.getMessage().contains("frame limit"), reply.getMessage());
            assertEquals(1, (Integer) ns.get("ok"), "the session and its objects are still there");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
