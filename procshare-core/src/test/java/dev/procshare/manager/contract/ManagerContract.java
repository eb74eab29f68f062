package dev.procshare.manager.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.procshare.manager.JoinableQueue;
import dev.procshare.manager.ManagedBarrier;
import dev.procshare.manager.ManagedDoubleArray;
import dev.procshare.manager.ManagedEvent;
import dev.procshare.manager.ManagedIntArray;
import dev.procshare.manager.ManagedLock;
import dev.procshare.manager.ManagedLongArray;
import dev.procshare.manager.ManagedSemaphore;
import dev.procshare.manager.ManagedValue;
import dev.procshare.manager.Manager;
import dev.procshare.manager.Namespace;
import dev.procshare.manager.SharedMap;
import dev.procshare.manager.contract.ContractFixtures.CounterApi;
import dev.procshare.manager.contract.ContractFixtures.LimitExceeded;
import dev.procshare.manager.contract.ContractFixtures.NotAllowed;
import dev.procshare.manager.contract.ContractFixtures.Point;
import dev.procshare.process.JvmProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link Manager} implementation promises, with the same assertions for each: a backend's test
 * extends this class, gives it a manager made from {@link #configure(Manager.Builder)} for the whole class
 * (started or connected, as the backend needs) and closes it afterwards.
 *
 * <p>Only the public API is used: the interfaces of {@code dev.procshare.manager} and real child JVMs through
 * {@link JvmProcess}. Every wait is bounded, so a backend that does not keep a promise fails, never hangs.
 * The error cases assert the exception types the socket manager throws, which other backends must match.
 */
public abstract class ManagerContract {
    /** How long anything that should take moments may take, a child JVM's start on a busy machine included. */
    protected static final Duration BOUND = Duration.ofSeconds(60);
    private static final long BOUND_MS = BOUND.toMillis();

    /** The manager under test, the same for every test of the class; the subclass makes and closes it. */
    protected abstract Manager manager();

    /**
     * How long a lock or permits held by a killed process may take to come back: the socket manager notices
     * the closed connection at once; a backend without one (a lease) takes up to its lease time.
     */
    protected Duration deathBound() {
        return Duration.ofSeconds(30);
    }

    /**
     * Registers and allows what this suite uses: the type {@code "Counter"} and the user classes it stores.
     * {@link NotAllowed} is left out on purpose; {@code ManagerContract} itself is allowed because the
     * serializable lambdas this suite sends to the manager are defined in it.
     */
    public static Manager.Builder configure(Manager.Builder builder) {
        return builder
                .register("Counter", CounterApi.class, ContractFixtures.Counter::new)
                .allow(Point.class, LimitExceeded.class, ManagerContract.class);
    }

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    // ---- a. namespace --------------------------------------------------------------------------------------

    @Test
    @Timeout(60)
    public void aNamespaceGetsSetsDeletesAndListsItsNamesSorted() {
        Namespace ns = manager().namespace();
        assertNull(ns.get("x"), "a name never set has no value");
        assertFalse(ns.contains("x"));
        assertEquals(Set.of(), ns.keys());

        ns.set("x", 41);
        ns.set("name", "seed");
        ns.set("point", new Point(1, 2));
        assertEquals(41, (Integer) ns.get("x"));
        assertEquals("seed", ns.get("name"));
        assertEquals(new Point(1, 2), ns.get("point"), "an allowed user class round-trips");
        assertTrue(ns.contains("name"));
        assertEquals(List.of("name", "point", "x"), new ArrayList<>(ns.keys()), "keys are sorted");

        ns.set("x", 42);
        assertEquals(42, (Integer) ns.get("x"), "set replaces");
        assertTrue(ns.delete("name"));
        assertFalse(ns.delete("name"), "a second delete finds nothing");
        assertFalse(ns.contains("name"));
        assertNull(ns.get("name"));
        assertEquals(List.of("point", "x"), new ArrayList<>(ns.keys()));

        ns.set("list", new ArrayList<>(List.of(1)));
        List<Integer> copy = ns.get("list");
        copy.add(2);
        assertEquals(List.of(1), ns.get("list"), "get returns a copy: changing it changes nothing shared");
    }

    @Test
    @Timeout(60)
    public void aNamespaceUpdateAndCompareAndSetAreAtomic() throws Exception {
        Namespace ns = manager().namespace();
        assertEquals(1, ns.update("fresh", (Integer v) -> v == null ? 1 : v + 1),
                "update of an absent name sees null");
        assertEquals(1, (Integer) ns.get("fresh"));
        ns.set("point", new Point(1, 2));
        assertEquals(new Point(2, 2), ns.update("point", (Point p) -> new Point(p.x() + 1, p.y())));

        ns.set("x", 42);
        assertTrue(ns.compareAndSet("x", 42, 50));
        assertFalse(ns.compareAndSet("x", 42, 60), "the value is no longer 42");
        assertEquals(50, (Integer) ns.get("x"));
        assertTrue(ns.compareAndSet("absent", null, 1), "null expects an absent name");
        assertEquals(1, (Integer) ns.get("absent"));
        assertFalse(ns.compareAndSet("absent", null, 2), "the name exists now");
        assertEquals(1, (Integer) ns.get("absent"));

        int threads = 4;
        int each = 500;
        List<FutureTask<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(inThread("ns-update-" + t, () -> {
                for (int i = 0; i < each; i++) {
                    ns.update("n", (Integer v) -> v == null ? 1 : v + 1);
                }
                return null;
            }));
        }
        for (FutureTask<Void> w : workers) {
            w.get(BOUND_MS, TimeUnit.MILLISECONDS);
        }
        assertEquals(threads * each, (Integer) ns.get("n"), "no update is lost");
    }

    // ---- b. map --------------------------------------------------------------------------------------------

    @Test
    @Timeout(60)
    public void aMapKeepsTheConcurrentMapContractForSingleKeyOperations() {
        SharedMap<String, Integer> map = manager().map();
        assertTrue(map.isEmpty());
        assertNull(map.get("a"));
        assertNull(map.put("a", 1));
        assertEquals(1, map.put("a", 2), "put returns the old value");
        assertEquals(2, map.putIfAbsent("a", 5), "present: putIfAbsent returns the value and changes nothing");
        assertNull(map.putIfAbsent("b", 5));
        assertEquals(5, map.get("b"));

        assertEquals(5, map.replace("b", 6));
        assertNull(map.replace("zz", 1), "replace of an absent key does nothing");
        assertFalse(map.containsKey("zz"));
        assertTrue(map.replace("b", 6, 7));
        assertFalse(map.replace("b", 6, 8), "the value is no longer 6");
        assertEquals(7, map.get("b"));

        assertFalse(map.remove("b", 6));
        assertTrue(map.containsKey("b"));
        assertTrue(map.remove("b", 7));
        assertFalse(map.containsKey("b"));
        map.put("c", 3);
        assertEquals(3, map.remove("c"));
        assertNull(map.remove("c"));

        assertEquals(Map.of("a", 2), Map.copyOf(map));
        assertEquals(1, map.size());
        assertTrue(map.containsKey("a"));
        assertTrue(map.containsValue(2));
        assertFalse(map.containsValue(3));
        assertEquals(2, map.getOrDefault("a", 0));
        assertEquals(0, map.getOrDefault("nope", 0));
    }

    @Test
    @Timeout(60)
    public void aMapRunsMergeAndComputeAtomicallyAndANullResultRemoves() {
        SharedMap<String, Integer> map = manager().map();
        assertEquals(1, map.merge("m", 1, Integer::sum), "merge of an absent key stores the value");
        assertEquals(3, map.merge("m", 2, Integer::sum));
        assertNull(map.merge("m", 1, (a, b) -> null), "a null merge result removes");
        assertFalse(map.containsKey("m"));

        assertEquals(1, map.compute("c", (k, v) -> v == null ? 1 : v + 1));
        assertEquals(2, map.compute("c", (k, v) -> v == null ? 1 : v + 1));
        assertNull(map.compute("c", (k, v) -> null), "a null compute result removes");
        assertFalse(map.containsKey("c"));
        assertNull(map.compute("never", (k, v) -> null), "and adds nothing");
        assertFalse(map.containsKey("never"));

        assertEquals(3, map.computeIfAbsent("abc", String::length));
        assertEquals(3, map.computeIfAbsent("abc", k -> 99), "present: computeIfAbsent keeps the value");
        assertNull(map.computeIfAbsent("none", k -> null), "a null computeIfAbsent result adds nothing");
        assertFalse(map.containsKey("none"));

        assertNull(map.computeIfPresent("absent", (k, v) -> v + 1), "absent: computeIfPresent does nothing");
        assertFalse(map.containsKey("absent"));
        assertEquals(13, map.computeIfPresent("abc", (k, v) -> v + 10));
        assertNull(map.computeIfPresent("abc", (k, v) -> null), "a null computeIfPresent result removes");
        assertFalse(map.containsKey("abc"));
        assertTrue(map.isEmpty());
    }

    @Test
    @Timeout(60)
    public void aMapRefusesNullsAndFunctionsThatAreNotSerializable() {
        SharedMap<String, Integer> map = manager().map();
        map.put("a", 1);
        assertThrows(NullPointerException.class, () -> map.put(null, 1));
        assertThrows(NullPointerException.class, () -> map.put("x", null));
        assertThrows(NullPointerException.class, () -> map.putIfAbsent("x", null));
        assertThrows(NullPointerException.class, () -> map.get(null));
        assertThrows(NullPointerException.class, () -> map.containsKey(null));
        assertFalse(map.containsKey("x"));

        BiFunction<String, Integer, Integer> biFunction = (k, v) -> 100;
        Function<String, Integer> function = k -> 100;
        BiFunction<Integer, Integer, Integer> merger = (a, b) -> 100;
        List<Runnable> calls = List.of(
                () -> map.compute("a", biFunction),
                () -> map.computeIfPresent("a", biFunction),
                () -> map.computeIfAbsent("b", function),
                () -> map.merge("a", 1, merger));
        for (Runnable call : calls) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
            assertTrue(e.getMessage().contains("serializable"), e.getMessage());
        }
        assertEquals(Map.of("a", 1), Map.copyOf(map), "a refused function changed nothing");
    }

    @Test
    @Timeout(60)
    public void aMapMergedByFourThreadsLosesNothing() throws Exception {
        SharedMap<String, Integer> map = manager().map();
        int threads = 4;
        int each = 500;
        List<FutureTask<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(inThread("merge-" + t, () -> {
                for (int i = 0; i < each; i++) {
                    map.merge("n", 1, Integer::sum);
                }
                return null;
            }));
        }
        for (FutureTask<Void> w : workers) {
            w.get(BOUND_MS, TimeUnit.MILLISECONDS);
        }
        assertEquals(threads * each, map.get("n"));
    }

    @Test
    @Timeout(60)
    public void aMapsViewsAreSnapshotsAndRemovingThroughThemRemovesOnTheManager() {
        SharedMap<String, Integer> map = manager().map();
        map.put("a", 1);
        map.put("b", 2);
        map.put("c", 3);
        assertEquals(Map.of("a", 1, "b", 2, "c", 3), Map.copyOf(map));
        assertEquals(Set.of("a", "b", "c"), Set.copyOf(map.keySet()));
        assertEquals(Set.of(1, 2, 3), Set.copyOf(map.values()));
        assertEquals(Set.of(Map.entry("a", 1), Map.entry("b", 2), Map.entry("c", 3)), Set.copyOf(map.entrySet()));

        assertTrue(map.keySet().remove("a"));
        assertFalse(map.containsKey("a"), "keySet().remove removes on the manager");
        assertFalse(map.keySet().remove("a"));

        Set<String> keys = map.keySet();
        map.put("d", 4);
        assertEquals(Set.of("b", "c"), Set.copyOf(keys), "a view taken before a put does not change");
        for (String key : map.keySet()) {
            map.remove(key); // changing the map while iterating a view is fine: the view is a snapshot
        }
        assertTrue(map.isEmpty());
    }

    @Test
    @Timeout(60)
    public void aFunctionThatThrowsChangesNothingAndItsExceptionReachesTheCaller() {
        Namespace ns = manager().namespace();
        ns.set("n", 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ns.update("n", (Integer v) -> {
            throw new IllegalStateException("refused " + v);
        }));
        assertEquals("refused 1", e.getMessage());
        assertEquals(1, (Integer) ns.get("n"), "the namespace kept its value");

        SharedMap<String, Integer> map = manager().map();
        map.put("a", 1);
        assertThrows(ArithmeticException.class, () -> map.merge("a", 1, (x, y) -> {
            throw new ArithmeticException("merge");
        }));
        assertThrows(ArithmeticException.class, () -> map.compute("a", (k, v) -> {
            throw new ArithmeticException("compute");
        }));
        assertEquals(Map.of("a", 1), Map.copyOf(map), "the map kept its value");

        ManagedValue<Integer> value = manager().value(1);
        assertThrows(UnsupportedOperationException.class, () -> value.update(v -> {
            throw new UnsupportedOperationException("update");
        }));
        assertEquals(1, value.get(), "the value kept its value");
    }

    // ---- c. list, set, value, arrays -------------------------------------------------------------------------

    @Test
    @Timeout(60)
    public void aListIsAJavaUtilListHeldByTheManager() {
        List<Object> list = manager().list();
        assertTrue(list.isEmpty());
        list.add("a");
        list.addAll(List.of("b", "c"));
        list.add(0, "z");
        assertEquals(List.of("z", "a", "b", "c"), new ArrayList<>(list));
        assertEquals(4, list.size());
        assertEquals("b", list.get(2));
        assertEquals("b", list.set(2, "B"));
        assertEquals("c", list.remove(3));
        assertTrue(list.remove("z"));
        assertFalse(list.remove("z"));
        assertEquals(List.of("a", "B"), new ArrayList<>(list));
        assertEquals(1, list.indexOf("B"));
        assertEquals(-1, list.indexOf("nope"));
        assertTrue(list.contains("a"));
        list.add(new Point(3, 4));
        assertEquals(new Point(3, 4), list.get(2), "a list holds user objects");
        assertThrows(IndexOutOfBoundsException.class, () -> list.get(10));
        assertThrows(IndexOutOfBoundsException.class, () -> list.get(-1));
        list.clear();
        assertTrue(list.isEmpty());
    }

    @Test
    @Timeout(60)
    public void aSetIsAJavaUtilSetHeldByTheManager() {
        Set<Integer> set = manager().set();
        assertTrue(set.add(1));
        assertFalse(set.add(1), "already there");
        assertTrue(set.addAll(List.of(2, 3)));
        assertEquals(Set.of(1, 2, 3), Set.copyOf(set));
        assertEquals(3, set.size());
        assertTrue(set.contains(2));
        assertTrue(set.remove(2));
        assertFalse(set.remove(2));
        assertFalse(set.contains(2));
        assertEquals(Set.of(1, 3), new HashSet<>(set));
        set.clear();
        assertTrue(set.isEmpty());
    }

    @Test
    @Timeout(60)
    public void aValueHasAtomicGetSetCompareAndSetAndUpdate() {
        ManagedValue<Integer> value = manager().value(0);
        assertEquals(0, value.get());
        value.set(5);
        assertEquals(5, value.get());
        assertEquals(5, value.getAndSet(6));
        assertTrue(value.compareAndSet(6, 7));
        assertFalse(value.compareAndSet(6, 8), "the value is no longer 6");
        assertEquals(7, value.get());
        assertEquals(10, value.update(v -> v + 3), "update returns the new value");
        assertEquals(10, value.getAndUpdate(v -> v * 2), "getAndUpdate returns the old value");
        assertEquals(20, value.get());

        ManagedValue<Point> point = manager().value(new Point(0, 0));
        assertEquals(new Point(1, 0), point.update(p -> new Point(p.x() + 1, p.y())));
        assertTrue(point.compareAndSet(new Point(1, 0), new Point(2, 2)), "compareAndSet compares with equals");
        assertEquals(new Point(2, 2), point.get());
    }

    @Test
    @Timeout(60)
    public void typedArraysReadWriteAddAndCopyInRangeAndRefuseIndexesOutOfIt() {
        ManagedDoubleArray d = manager().doubleArray(new double[] {1.5, 2.5});
        assertEquals(2, d.length());
        assertEquals(1.5, d.get(0));
        d.set(1, 4.0);
        assertEquals(5.0, d.addAndGet(0, 3.5));
        assertArrayEquals(new double[] {5.0, 4.0}, d.toArray());
        assertArrayEquals(new double[] {4.0}, d.toArray(1, 2));
        d.copyFrom(0, new double[] {7.0, 8.0});
        assertArrayEquals(new double[] {7.0, 8.0}, d.toArray());
        assertArrayEquals(new double[3], manager().doubleArray(3).toArray(), "a new array is zeros");
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> d.get(2));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> d.set(-1, 1.0));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> d.addAndGet(2, 1.0));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> d.copyFrom(1, new double[] {1.0, 2.0}));
        assertArrayEquals(new double[] {7.0, 8.0}, d.toArray(), "a refused copy wrote nothing");

        ManagedIntArray i = manager().intArray(3);
        assertEquals(3, i.length());
        assertArrayEquals(new int[3], i.toArray());
        i.copyFrom(1, new int[] {7, 8});
        assertArrayEquals(new int[] {0, 7, 8}, i.toArray());
        i.set(0, 5);
        assertEquals(5, i.get(0));
        assertEquals(12, i.addAndGet(0, 7));
        assertArrayEquals(new int[] {12, 7}, i.toArray(0, 2));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> i.get(3));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> i.set(3, 1));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> i.addAndGet(-1, 1));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> i.copyFrom(2, new int[] {1, 2}));
        assertArrayEquals(new int[] {12, 7, 8}, i.toArray(), "a refused copy wrote nothing");

        ManagedLongArray l = manager().longArray(new long[] {1, 2, 3});
        assertEquals(3, l.length());
        assertArrayEquals(new long[] {2, 3}, l.toArray(1, 3));
        l.set(2, Long.MAX_VALUE - 1);
        assertEquals(Long.MAX_VALUE, l.addAndGet(2, 1));
        l.copyFrom(0, new long[] {10, 20});
        assertArrayEquals(new long[] {10, 20, Long.MAX_VALUE}, l.toArray());
        assertEquals(20, l.get(1));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> l.get(3));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> l.set(3, 1));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> l.addAndGet(3, 1));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> l.copyFrom(3, new long[] {1}));
        assertArrayEquals(new long[] {10, 20, Long.MAX_VALUE}, l.toArray(), "a refused copy wrote nothing");
    }

    // ---- d. queues ---------------------------------------------------------------------------------------------

    @Test
    @Timeout(60)
    public void aBoundedQueueOffersPutsPollsAndTakesWithTimeouts() throws Exception {
        BlockingQueue<String> q = manager().queue(2);
        assertTrue(q.offer("a"));
        q.put("b");
        assertEquals(2, q.size());
        assertEquals(0, q.remainingCapacity());
        assertFalse(q.offer("c"), "full");
        long t0 = System.nanoTime();
        assertFalse(q.offer("c", 50, TimeUnit.MILLISECONDS), "full: a timed offer times out");
        assertTrue(elapsedMs(t0) >= 40, "it waited: " + elapsedMs(t0) + " ms");
        assertEquals("a", q.peek());
        assertEquals("a", q.take());
        assertEquals("b", q.poll(1, TimeUnit.SECONDS));
        assertNull(q.poll(), "empty");
        t0 = System.nanoTime();
        assertNull(q.poll(20, TimeUnit.MILLISECONDS), "empty: a timed poll times out");
        assertTrue(elapsedMs(t0) >= 15, "it waited: " + elapsedMs(t0) + " ms");
        assertThrows(NoSuchElementException.class, q::remove);
        assertThrows(NoSuchElementException.class, q::element);
        assertThrows(NullPointerException.class, () -> q.offer(null));
        assertTrue(q.isEmpty());

        q.put("x");
        q.put("y");
        FutureTask<Void> blockedPut = inThread("put", () -> {
            q.put("z");
            return null;
        });
        Thread.sleep(100);
        assertFalse(blockedPut.isDone(), "put waits for room");
        assertEquals("x", q.take());
        blockedPut.get(BOUND_MS, TimeUnit.MILLISECONDS);
        assertEquals(List.of("y", "z"), new ArrayList<>(q), "iteration is over a snapshot, in order");
    }

    @Test
    @Timeout(60)
    public void aQueueIsFifoAndAWaitingTakeGetsTheNextItem() throws Exception {
        BlockingQueue<Integer> q = manager().queue();
        for (int i = 0; i < 50; i++) {
            q.put(i);
        }
        List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            taken.add(q.take());
        }
        assertEquals(IntStream.range(0, 50).boxed().toList(), taken);

        FutureTask<Integer> taker = inThread("take", q::take);
        Thread.sleep(100);
        assertFalse(taker.isDone(), "take waits for an item");
        q.put(7);
        assertEquals(7, taker.get(BOUND_MS, TimeUnit.MILLISECONDS));
    }

    @Test
    @Timeout(60)
    public void aTakeWaitingOnAnEmptyQueueIsInterruptible() throws Exception {
        BlockingQueue<String> q = manager().queue();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread taker = new Thread(() -> {
            started.countDown();
            try {
                String item = q.take();
                outcome.set(new AssertionError("take returned " + item));
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "contract-interrupted-take");
        taker.setDaemon(true);
        taker.start();
        assertTrue(started.await(BOUND_MS, TimeUnit.MILLISECONDS));
        Thread.sleep(200); // let it reach the wait
        taker.interrupt();
        taker.join(10_000);
        assertFalse(taker.isAlive(), "the interrupted take did not return within 10 s");
        assertInstanceOf(InterruptedException.class, outcome.get(), String.valueOf(outcome.get()));
        q.put("after");
        assertEquals("after", q.poll(5, TimeUnit.SECONDS), "the cancelled take took nothing");
        assertTrue(q.isEmpty());
    }

    @Test
    @Timeout(60)
    public void aJoinableQueueCountsUnfinishedTasksAndRefusesOneTaskDoneTooMany() throws Exception {
        JoinableQueue<String> q = manager().joinableQueue();
        assertTrue(q.join(0, TimeUnit.SECONDS), "nothing put: join returns at once");
        q.put("a");
        q.put("b");
        assertEquals(2, q.unfinishedTasks());
        assertFalse(q.join(50, TimeUnit.MILLISECONDS), "two tasks unfinished");
        FutureTask<Boolean> joiner = inThread("join", () -> q.join(BOUND_MS, TimeUnit.MILLISECONDS));
        assertEquals("a", q.take());
        q.taskDone();
        assertEquals(1, q.unfinishedTasks());
        assertEquals("b", q.take());
        assertEquals(1, q.unfinishedTasks(), "taken is not done");
        Thread.sleep(50);
        assertFalse(joiner.isDone(), "one task still unfinished");
        q.taskDone();
        assertTrue(joiner.get(BOUND_MS, TimeUnit.MILLISECONDS), "join returns once every task is done");
        assertEquals(0, q.unfinishedTasks());
        assertThrows(IllegalStateException.class, q::taskDone);
        assertEquals(0, q.unfinishedTasks(), "the refused taskDone changed nothing");
    }

    // ---- e. locks and conditions ---------------------------------------------------------------------------------

    @Test
    @Timeout(60)
    public void aLockIsOwnedByOneThreadAndOnlyItsOwnerMayUnlock() throws Exception {
        ManagedLock lock = manager().lock();
        assertFalse(lock.isLocked());
        lock.lock();
        try {
            assertTrue(lock.isLocked());
            assertTrue(lock.isHeldByCurrentThread());
            assertEquals(1, lock.getHoldCount());
            assertFalse(lock.tryLock(), "a lock is not reentrant: its owner cannot take it again");

            assertInstanceOf(IllegalMonitorStateException.class, thrownBy(inThread("unlock", () -> {
                lock.unlock();
                return null;
            })), "another thread may not unlock it");
            assertTrue(lock.isLocked(), "and did not");
            assertEquals(false, inThread("tryLock", lock::tryLock).get(BOUND_MS, TimeUnit.MILLISECONDS),
                    "tryLock fails while another thread holds it");
            assertEquals(false, inThread("held", lock::isHeldByCurrentThread).get(BOUND_MS, TimeUnit.MILLISECONDS));
            assertEquals(0, inThread("holds", lock::getHoldCount).get(BOUND_MS, TimeUnit.MILLISECONDS));
            FutureTask<Long> timed = inThread("tryLock-timeout", () -> {
                long t0 = System.nanoTime();
                if (lock.tryLock(200, TimeUnit.MILLISECONDS)) {
                    lock.unlock();
                    return -1L;
                }
                return elapsedMs(t0);
            });
            long waited = timed.get(BOUND_MS, TimeUnit.MILLISECONDS);
            assertTrue(waited >= 150, "tryLock(200 ms) timed out after " + waited + " ms");
        } finally {
            lock.unlock();
        }
        assertFalse(lock.isLocked());
        assertThrows(IllegalMonitorStateException.class, lock::unlock, "unlocking a free lock");

        FutureTask<Boolean> waiter;
        lock.lock();
        try {
            waiter = inThread("lock-waiter", () -> {
                boolean got = lock.tryLock(BOUND_MS, TimeUnit.MILLISECONDS);
                if (got) {
                    lock.unlock();
                }
                return got;
            });
            Thread.sleep(100);
            assertFalse(waiter.isDone(), "the waiter waits while the lock is held");
        } finally {
            lock.unlock();
        }
        assertTrue(waiter.get(BOUND_MS, TimeUnit.MILLISECONDS), "and takes it once it is released");
    }

    @Test
    @Timeout(60)
    public void anRLockIsReentrantAndCountsItsHolds() throws Exception {
        ManagedLock lock = manager().rlock();
        lock.lock();
        assertTrue(lock.tryLock(), "its owner takes it again");
        lock.lock();
        assertEquals(3, lock.getHoldCount());
        assertEquals(false, inThread("tryLock", lock::tryLock).get(BOUND_MS, TimeUnit.MILLISECONDS));
        assertEquals(0, inThread("holds", lock::getHoldCount).get(BOUND_MS, TimeUnit.MILLISECONDS));
        assertInstanceOf(IllegalMonitorStateException.class, thrownBy(inThread("unlock", () -> {
            lock.unlock();
            return null;
        })));
        lock.unlock();
        lock.unlock();
        assertEquals(1, lock.getHoldCount());
        assertTrue(lock.isLocked(), "held until the last unlock");
        lock.unlock();
        assertEquals(0, lock.getHoldCount());
        assertFalse(lock.isLocked());
        assertThrows(IllegalMonitorStateException.class, lock::unlock);
        assertEquals(true, inThread("tryLock-free", () -> {
            boolean got = lock.tryLock();
            if (got) {
                lock.unlock();
            }
            return got;
        }).get(BOUND_MS, TimeUnit.MILLISECONDS));
    }

    @Test
    @Timeout(60)
    public void aConditionNeedsItsLockAndAwaitReturnsFalseWhenNobodySignals() throws Exception {
        ManagedLock lock = manager().lock();
        Condition condition = manager().condition(lock);
        assertThrows(IllegalMonitorStateException.class, () -> condition.await(10, TimeUnit.MILLISECONDS),
                "await without the lock");
        assertThrows(IllegalMonitorStateException.class, condition::signal, "signal without the lock");
        assertThrows(IllegalMonitorStateException.class, condition::signalAll, "signalAll without the lock");
        assertFalse(lock.isLocked());

        lock.lock();
        try {
            long t0 = System.nanoTime();
            assertFalse(condition.await(100, TimeUnit.MILLISECONDS), "nobody signals");
            assertTrue(elapsedMs(t0) >= 80, "it waited: " + elapsedMs(t0) + " ms");
            assertTrue(lock.isHeldByCurrentThread(), "await returns holding the lock again");
            condition.signal(); // nobody waits: nothing happens
        } finally {
            lock.unlock();
        }
    }

    @Test
    @Timeout(60)
    public void aSignalWakesAWaiterInAnotherThread() throws Exception {
        ManagedLock lock = manager().lock();
        Condition ready = manager().condition(lock);
        AtomicInteger waiting = new AtomicInteger();
        FutureTask<Boolean> waiter = inThread("await", () -> awaitSignal(lock, ready, waiting));
        signalWhenWaiting(lock, waiting, 1, ready::signal);
        assertTrue(waiter.get(BOUND_MS, TimeUnit.MILLISECONDS), "the waiter was signalled");
        assertFalse(lock.isLocked(), "and released the lock it took back");
    }

    @Test
    @Timeout(60)
    public void signalAllWakesThreeWaiters() throws Exception {
        ManagedLock lock = manager().lock();
        Condition ready = manager().condition(lock);
        AtomicInteger waiting = new AtomicInteger();
        List<FutureTask<Boolean>> waiters = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            waiters.add(inThread("await-" + t, () -> awaitSignal(lock, ready, waiting)));
        }
        signalWhenWaiting(lock, waiting, 3, ready::signalAll);
        for (FutureTask<Boolean> w : waiters) {
            assertTrue(w.get(BOUND_MS, TimeUnit.MILLISECONDS), "every waiter was signalled");
        }
        assertFalse(lock.isLocked());
    }

    /** Counts itself as waiting while it holds the lock, then awaits a signal; whether it got one. */
    private static boolean awaitSignal(ManagedLock lock, Condition condition, AtomicInteger waiting)
            throws InterruptedException {
        lock.lock();
        try {
            waiting.incrementAndGet();
            return condition.await(BOUND_MS, TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the lock until it sees {@code count} waiters counted, then signals under it: a waiter counts
     * itself holding the lock and releases it only inside {@code await}, so all of them wait by then.
     */
    private static void signalWhenWaiting(ManagedLock lock, AtomicInteger waiting, int count, Runnable signal)
            throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (true) {
            lock.lock();
            try {
                if (waiting.get() == count) {
                    signal.run();
                    return;
                }
            } finally {
                lock.unlock();
            }
            if (System.nanoTime() > deadline) {
                fail("only " + waiting.get() + " of " + count + " waiters arrived");
            }
            Thread.sleep(10);
        }
    }

    // ---- f. semaphores, event, barrier ---------------------------------------------------------------------------

    @Test
    @Timeout(60)
    public void aSemaphoreCountsPermitsAndAWaiterGetsAReleasedOne() throws Exception {
        ManagedSemaphore sem = manager().semaphore(2);
        assertEquals(2, sem.availablePermits());
        assertTrue(sem.tryAcquire());
        sem.acquire();
        assertEquals(0, sem.availablePermits());
        assertFalse(sem.tryAcquire(), "no permit left");
        long t0 = System.nanoTime();
        assertFalse(sem.tryAcquire(50, TimeUnit.MILLISECONDS), "a timed acquire times out");
        assertTrue(elapsedMs(t0) >= 40, "it waited: " + elapsedMs(t0) + " ms");

        FutureTask<Boolean> waiter = inThread("acquire", () -> sem.tryAcquire(BOUND_MS, TimeUnit.MILLISECONDS));
        Thread.sleep(100);
        assertFalse(waiter.isDone(), "the waiter waits for a permit");
        sem.release();
        assertTrue(waiter.get(BOUND_MS, TimeUnit.MILLISECONDS), "and gets the released one");
        assertEquals(0, sem.availablePermits());

        sem.release(2);
        assertEquals(2, sem.availablePermits());
        assertFalse(sem.tryAcquire(3, 20, TimeUnit.MILLISECONDS), "three permits are not there");
        assertEquals(2, sem.availablePermits(), "and none were taken");
        sem.acquire(2);
        assertEquals(0, sem.availablePermits());
        sem.release(3);
        assertEquals(3, sem.availablePermits(), "an unbounded semaphore may be released above its initial count");
    }

    @Test
    @Timeout(60)
    public void aBoundedSemaphoreRefusesAReleaseAboveItsInitialCount() throws Exception {
        ManagedSemaphore sem = manager().boundedSemaphore(2);
        assertTrue(sem.tryAcquire());
        sem.acquire();
        assertFalse(sem.tryAcquire(20, TimeUnit.MILLISECONDS));
        sem.release(2);
        assertEquals(2, sem.availablePermits());
        assertThrows(IllegalStateException.class, sem::release, "a release above the initial count");
        assertEquals(2, sem.availablePermits(), "the refused release added nothing");
        assertTrue(sem.tryAcquire());
        assertThrows(IllegalStateException.class, () -> sem.release(2));
        assertEquals(1, sem.availablePermits());
        sem.release();
        assertEquals(2, sem.availablePermits());
    }

    @Test
    @Timeout(60)
    public void anEventIsSetClearedAndAwaited() throws Exception {
        ManagedEvent event = manager().event();
        assertFalse(event.isSet());
        long t0 = System.nanoTime();
        assertFalse(event.await(50, TimeUnit.MILLISECONDS), "not set: a timed await times out");
        assertTrue(elapsedMs(t0) >= 40, "it waited: " + elapsedMs(t0) + " ms");

        FutureTask<Boolean> waiter = inThread("event", () -> event.await(BOUND_MS, TimeUnit.MILLISECONDS));
        Thread.sleep(100);
        assertFalse(waiter.isDone(), "the waiter waits for the flag");
        event.set();
        assertTrue(waiter.get(BOUND_MS, TimeUnit.MILLISECONDS), "set wakes it");
        assertTrue(event.isSet());
        assertTrue(event.await(0, TimeUnit.MILLISECONDS), "set: await returns at once");
        event.await();
        event.clear();
        assertFalse(event.isSet());
        assertFalse(event.await(20, TimeUnit.MILLISECONDS), "cleared: waits again");
    }

    @Test
    @Timeout(60)
    public void aBarrierOfThreeGivesDistinctArrivalIndexes() throws Exception {
        ManagedBarrier barrier = manager().barrier(3);
        assertEquals(3, barrier.getParties());
        assertEquals(0, barrier.getNumberWaiting());
        for (int round = 0; round < 2; round++) { // cyclic: it serves again once tripped
            List<FutureTask<Integer>> parties = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                parties.add(inThread("party-" + t, () -> barrier.await(BOUND_MS, TimeUnit.MILLISECONDS)));
            }
            Set<Integer> indexes = new HashSet<>();
            for (FutureTask<Integer> p : parties) {
                indexes.add(p.get(BOUND_MS, TimeUnit.MILLISECONDS));
            }
            assertEquals(Set.of(0, 1, 2), indexes, "round " + round);
            assertFalse(barrier.isBroken());
            assertEquals(0, barrier.getNumberWaiting());
        }
    }

    @Test
    @Timeout(60)
    public void aTimeoutBreaksABarrierForEveryPartyUntilReset() throws Exception {
        ManagedBarrier barrier = manager().barrier(3);
        FutureTask<Integer> patient = inThread("patient", () -> barrier.await(BOUND_MS, TimeUnit.MILLISECONDS));
        eventually(() -> barrier.getNumberWaiting() == 1, "the patient party waits");
        assertThrows(TimeoutException.class, () -> barrier.await(100, TimeUnit.MILLISECONDS),
                "the party that times out gets TimeoutException");
        assertInstanceOf(BrokenBarrierException.class, thrownBy(patient), "the one waiting gets BrokenBarrierException");
        assertTrue(barrier.isBroken());
        assertThrows(BrokenBarrierException.class, () -> barrier.await(1, TimeUnit.SECONDS),
                "a broken barrier refuses a new party at once");

        barrier.reset();
        assertFalse(barrier.isBroken(), "reset mends it");
        assertEquals(0, barrier.getNumberWaiting());
        List<FutureTask<Integer>> parties = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            parties.add(inThread("after-reset-" + t, () -> barrier.await(BOUND_MS, TimeUnit.MILLISECONDS)));
        }
        Set<Integer> indexes = new HashSet<>();
        for (FutureTask<Integer> p : parties) {
            indexes.add(p.get(BOUND_MS, TimeUnit.MILLISECONDS));
        }
        assertEquals(Set.of(0, 1, 2), indexes);
    }

    // ---- g. registered objects -----------------------------------------------------------------------------------

    @Test
    @Timeout(120)
    public void aRegisteredObjectIsOneInstanceThatThreeProcessesCallAndItsExceptionsComeBack() throws Exception {
        CounterApi counter = manager().create("Counter", CounterApi.class);
        assertEquals(0, counter.total());
        List<JvmProcess> children = new ArrayList<>();
        try {
            for (int p = 0; p < 3; p++) {
                children.add(JvmProcess.builder().name("contract-adder-" + p).call(() -> {
                    for (int i = 0; i < 100; i++) {
                        counter.add(1);
                    }
                    try {
                        counter.fail("from a child");
                        return "fail() returned";
                    } catch (IllegalStateException e) {
                        return e.getMessage();
                    }
                }).start());
            }
            for (JvmProcess child : children) {
                assertEquals("from a child", child.result(BOUND), "a child gets the method's exception");
            }
        } finally {
            children.forEach(JvmProcess::close);
        }
        assertEquals(300, counter.total(), "every call of every process landed on the one instance");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> counter.fail("boom"));
        assertEquals("boom", e.getMessage());
        counter.check(300);
        LimitExceeded limit = assertThrows(LimitExceeded.class, () -> counter.check(10),
                "a declared checked exception of an allowed class travels as itself");
        assertEquals("total 300 is above 10", limit.getMessage());

        CounterApi other = manager().create("Counter", CounterApi.class);
        other.add(1);
        assertEquals(1, other.total(), "create makes a new instance");
        assertEquals(300, counter.total());
        assertThrows(IllegalArgumentException.class, () -> manager().create("NoSuchType", CounterApi.class),
                "an unregistered type id");
    }

    // ---- h. many processes -----------------------------------------------------------------------------------------

    @Test
    @Timeout(300)
    public void fourProcessesMergingTenThousandTimesEachLoseNothing() throws Exception {
        int processes = 4;
        int increments = 10_000;
        SharedMap<String, Integer> map = manager().map();
        List<JvmProcess> children = new ArrayList<>();
        try {
            for (int p = 0; p < processes; p++) {
                children.add(JvmProcess.builder().name("contract-merger-" + p).call(() -> {
                    for (int i = 0; i < increments; i++) {
                        map.merge("n", 1, Integer::sum);
                    }
                    return increments;
                }).start());
            }
            for (JvmProcess child : children) {
                assertEquals(increments, (Integer) child.result(Duration.ofSeconds(270)));
            }
        } finally {
            children.forEach(JvmProcess::close);
        }
        assertEquals(processes * increments, map.get("n"));
    }

    // ---- i. a holder that dies -------------------------------------------------------------------------------------

    @Test
    @Timeout(180)
    public void aLockHeldByAKilledProcessIsReleasedAndTheNextOwnerIsTold() throws Exception {
        ManagedLock lock = manager().lock();
        ManagedEvent holding = manager().event();
        try (JvmProcess holder = JvmProcess.builder().name("contract-lock-holder").target(() -> {
            lock.lock();
            holding.set();
            sleepQuietly(300_000);
        }).start()) {
            assertTrue(holding.await(BOUND_MS, TimeUnit.MILLISECONDS), "the child never took the lock");
            assertTrue(lock.isLocked());
            assertFalse(lock.tryLock(), "the child holds it");
            holder.kill();
            assertTrue(holder.join(BOUND), "the killed child did not end");
            assertTrue(lock.tryLock(deathBound().toMillis(), TimeUnit.MILLISECONDS),
                    "the dead holder's lock came back within " + deathBound());
            try {
                assertTrue(lock.previousOwnerDied(), "and the next owner learns why");
            } finally {
                lock.unlock();
            }
            lock.lock();
            try {
                assertFalse(lock.previousOwnerDied(), "only the first owner after the death is told");
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    @Timeout(180)
    public void aPermitHeldByAKilledProcessIsReturned() throws Exception {
        ManagedSemaphore permits = manager().semaphore(1);
        ManagedEvent holding = manager().event();
        try (JvmProcess holder = JvmProcess.builder().name("contract-permit-holder").target(() -> {
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                return;
            }
            holding.set();
            sleepQuietly(300_000);
        }).start()) {
            assertTrue(holding.await(BOUND_MS, TimeUnit.MILLISECONDS), "the child never took the permit");
            assertEquals(0, permits.availablePermits());
            assertFalse(permits.tryAcquire(), "the child holds it");
            holder.kill();
            assertTrue(holder.join(BOUND), "the killed child did not end");
            assertTrue(permits.tryAcquire(deathBound().toMillis(), TimeUnit.MILLISECONDS),
                    "the dead holder's permit came back within " + deathBound());
            assertEquals(0, permits.availablePermits(), "once: no permit was minted");
            permits.release();
            assertEquals(1, permits.availablePermits());
        }
    }

    // ---- j. allow-list -------------------------------------------------------------------------------------------

    @Test
    @Timeout(60)
    public void aValueOfAClassNotAllowedIsRefusedByNameAndNothingIsStored() {
        Namespace ns = manager().namespace();
        String refused = NotAllowed.class.getName();
        RuntimeException e = assertThrows(RuntimeException.class, () -> ns.set("x", new NotAllowed()));
        assertTrue(mentions(e, refused), "the error names " + refused + ": " + e);
        assertFalse(ns.contains("x"), "nothing was stored");

        SharedMap<String, Object> map = manager().map();
        e = assertThrows(RuntimeException.class, () -> map.put("x", new NotAllowed()));
        assertTrue(mentions(e, refused), "the error names " + refused + ": " + e);
        assertFalse(map.containsKey("x"), "nothing was stored");

        List<Object> list = manager().list();
        e = assertThrows(RuntimeException.class, () -> list.add(new NotAllowed()));
        assertTrue(mentions(e, refused), "the error names " + refused + ": " + e);
        assertTrue(list.isEmpty(), "nothing was stored");

        ns.set("x", new Point(5, 6));
        assertEquals(new Point(5, 6), ns.get("x"), "an allowed class is still stored after a refusal");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------------

    /** Runs {@code body} in a new daemon thread; {@code get} it with a timeout. */
    private static <T> FutureTask<T> inThread(String name, Callable<T> body) {
        FutureTask<T> task = new FutureTask<>(body);
        Thread thread = new Thread(task, "contract-" + name);
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    /** What {@code task} threw; fails if it returned. */
    private static Throwable thrownBy(FutureTask<?> task) throws InterruptedException, TimeoutException {
        try {
            Object result = task.get(BOUND_MS, TimeUnit.MILLISECONDS);
            throw new AssertionError("expected an exception, got " + result);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + BOUND + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Whether the message of {@code t} or of one of its causes contains {@code text}. */
    private static boolean mentions(Throwable t, String text) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** Sleeps in a child JVM until it is killed (or the time passes). */
    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
