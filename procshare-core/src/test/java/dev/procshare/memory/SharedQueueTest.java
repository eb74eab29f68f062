package dev.procshare.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.codec.ClassNotAllowedException;
import dev.procshare.process.JvmProcess;
import dev.procshare.process.ProcessPool;
import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.NoLeaks;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(NoLeaks.class)
class SharedQueueTest {
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @Test
    void threeProducerJvmsAndTwoConsumerJvmsMoveEveryItemExactlyOnce() {
        int producers = 3;
        int perProducer = 5_000;
        int total = producers * perProducer;
        try (SharedQueue<Object> queue = SharedQueue.create(64);
             SharedIntArray seen = SharedIntArray.create(total);
             SharedLong received = SharedLong.create(0)) {
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int p = 0; p < producers; p++) {
                    int first = p * perProducer;
                    boolean strings = p == 0; // one producer sends strings: items of different sizes share slots
                    children.add(ChildJvm.task(() -> {
                        for (int i = first; i < first + perProducer; i++) {
                            queue.put(strings ? "item-" + i : (Object) i);
                        }
                    }).start());
                }
                for (int c = 0; c < 2; c++) {
                    children.add(ChildJvm.task(() -> {
                        while (received.get() < total) {
                            Object item = queue.poll(50, TimeUnit.MILLISECONDS);
                            if (item != null) {
                                int id = item instanceof String s ? Integer.parseInt(s.substring(5)) : (Integer) item;
                                seen.incrementAndGet(id);
                                received.incrementAndGet();
                            }
                        }
                    }).start());
                }
                for (ChildJvm child : children) {
                    child.awaitExit().assertSuccess();
                }
            } finally {
                children.forEach(ChildJvm::close);
            }
            for (int id = 0; id < total; id++) {
                assertEquals(1, seen.get(id), "item " + id + " received once");
            }
            assertEquals(0, queue.size());
            assertEquals(0, queue.recoveries());
        }
    }

    @Test
    void boundedWaitsTimeOutAndABlockedPutInAnotherJvmProceedsWhenSpaceIsMade() throws Exception {
        try (SharedQueue<String> queue = SharedQueue.create(2)) {
            assertNull(queue.poll(20, TimeUnit.MILLISECONDS), "poll on empty returns null after the timeout");
            assertNull(queue.poll());
            assertNull(queue.peek());
            assertTrue(queue.offer("a"));
            queue.put("b");
            assertEquals(2, queue.size());
            assertEquals(0, queue.remainingCapacity());
            assertFalse(queue.offer("c"));
            assertFalse(queue.offer("c", 20, TimeUnit.MILLISECONDS), "offer on full returns false after the timeout");
            assertEquals(List.of("a", "b"), new ArrayList<>(queue));

            try (ChildJvm producer = ChildJvm.task(() -> {
                System.out.println("PUTTING");
                System.out.flush();
                queue.put("c"); // blocks until the parent takes
                System.out.println("PUT");
            }).start()) {
                producer.awaitOutput("PUTTING", WITHIN);
                assertEquals("a", queue.take());
                producer.awaitExit().assertSuccess();
            }
            assertEquals("b", queue.peek());
            List<String> drained = new ArrayList<>();
            assertEquals(1, queue.drainTo(drained, 1));
            assertEquals(List.of("b"), drained);
            assertEquals("c", queue.poll(WITHIN.toMillis(), TimeUnit.MILLISECONDS));
            assertTrue(queue.isEmpty());
        }
    }

    @Test
    void interruptCancelsAWaitingTake() throws Exception {
        try (SharedQueue<String> queue = SharedQueue.create(1)) {
            Thread taker = Thread.currentThread();
            Thread interrupter = new Thread(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                taker.interrupt();
            });
            interrupter.start();
            try {
                assertThrows(InterruptedException.class, () -> queue.poll(WITHIN.toMillis(), TimeUnit.MILLISECONDS));
            } finally {
                interrupter.interrupt();
                interrupter.join(WITHIN.toMillis());
                Thread.interrupted();
            }
            assertTrue(queue.offer("still works"));
            assertEquals("still works", queue.poll());
        }
    }

    /**
     * The producer counts a put as acknowledged only after it returned, so at the kill at most one more item
     * than acknowledged can be in the queue (the put that returned just before the kill, or one killed after
     * its commit point); a single producer's items arrive in order, so what the consumer gets must be exactly
     * 0, 1, ..., m-1 with acknowledged <= m <= acknowledged + 1.
     */
    @Test
    void producerKilledWhilePuttingLosesNoAcknowledgedItemAndDuplicatesNone() throws Exception {
        try (SharedQueue<Integer> queue = SharedQueue.create(16);
             SharedLong acknowledged = SharedLong.create(0);
             ChildJvm producer = ChildJvm.task(() -> {
                 for (int i = 0; ; i++) {
                     queue.put(i);
                     acknowledged.set(i + 1);
                 }
             }).start()) {
            List<Integer> received = new ArrayList<>();
            while (received.size() < 20_000) {
                Integer item = queue.poll(WITHIN.toMillis(), TimeUnit.MILLISECONDS);
                assertTrue(item != null, "the producer stopped producing");
                received.add(item);
            }
            producer.kill();
            for (;;) { // until empty: a poll may time out while the dead producer's hold is being taken over
                Integer item = queue.poll(200, TimeUnit.MILLISECONDS);
                if (item != null) {
                    received.add(item);
                } else if (queue.isEmpty()) {
                    break;
                }
            }
            long acked = acknowledged.get();
            for (int i = 0; i < received.size(); i++) {
                assertEquals(i, received.get(i), "item " + i + ": in order, none lost, none duplicated");
            }
            assertTrue(received.size() >= acked && received.size() <= acked + 1,
                    received.size() + " received, " + acked + " acknowledged");
            assertTrue(queue.offer(-1), "the queue still works");
            assertEquals(-1, queue.poll());
        }
    }

    /**
     * Each consumer records an item before it takes the next one, so a consumer killed at any point holds at
     * most one item it took but did not record. The check is therefore exact: no item recorded twice, and
     * at most one item (the victim's) recorded by nobody. The victim is the only consumer until it is
     * killed in the middle of the stream; a second consumer then takes the rest.
     */
    @Test
    void consumerKilledWhileTakingOwnsOnlyItsItemAndNothingElseIsLostOrDuplicated() throws Exception {
        int total = 20_000;
        int poison = -1;
        try (SharedQueue<Integer> queue = SharedQueue.create(16);
             SharedIntArray seen = SharedIntArray.create(total);
             SharedLong victimTook = SharedLong.create(0);
             ChildJvm victim = ChildJvm.task(() -> {
                 for (;;) {
                     seen.incrementAndGet(queue.take());
                     victimTook.incrementAndGet();
                 }
             }).start()) {
            int i = 0;
            while (victimTook.get() < 2_000) { // the queue holds 16: the victim is taking all along
                assertTrue(queue.offer(i++, WITHIN.toMillis(), TimeUnit.MILLISECONDS), "the victim stopped taking");
            }
            victim.kill();
            try (ChildJvm survivor = ChildJvm.task(() -> {
                for (int item; (item = queue.take()) != poison; ) {
                    seen.incrementAndGet(item);
                }
            }).start()) {
                for (; i < total; i++) {
                    assertTrue(queue.offer(i, WITHIN.toMillis(), TimeUnit.MILLISECONDS), "the survivor stopped taking");
                }
                assertTrue(queue.offer(poison, WITHIN.toMillis(), TimeUnit.MILLISECONDS));
                survivor.awaitExit().assertSuccess();
            }
            int missing = 0;
            for (int id = 0; id < total; id++) {
                int count = seen.get(id);
                assertTrue(count <= 1, "item " + id + " delivered " + count + " times");
                missing += count == 0 ? 1 : 0;
            }
            assertTrue(missing <= 1, missing + " items lost; only the victim's unrecorded take may be");
            assertEquals(0, queue.size());
        }
    }

    /**
     * A process stopped inside an operation, holding the queue, then killed: the next process takes the queue
     * over, and what it finds is the state before the operation if the process died before the commit point,
     * after it if it died after.
     */
    @ParameterizedTest
    @EnumSource(SharedQueue.Stage.class)
    void processKilledInsideAnOperationLeavesTheQueueBeforeOrAfterIt(SharedQueue.Stage stage) throws Exception {
        try (SharedQueue<String> queue = SharedQueue.create(4)) {
            queue.put("first");
            try (ChildJvm child = ChildJvm.task(() -> {
                SharedQueue.testHook = reached -> {
                    if (reached == stage) {
                        System.out.println("INSIDE");
                        System.out.flush();
                        try {
                            Thread.sleep(120_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                };
                if (stage == SharedQueue.Stage.PUT_COPIED || stage == SharedQueue.Stage.PUT_COMMITTED) {
                    queue.put("second");
                } else {
                    queue.take();
                }
            }).start()) {
                child.awaitOutput("INSIDE", WITHIN);
                assertFalse(queue.offer("blocked", 50, TimeUnit.MILLISECONDS), "a live process is inside");
                child.kill();
            }
            List<String> left = new ArrayList<>();
            queue.drainTo(left);
            List<String> expected = switch (stage) {
                case PUT_COPIED -> List.of("first");
                case PUT_COMMITTED -> List.of("first", "second");
                case TAKE_COPIED -> List.of("first");
                case TAKE_COMMITTED -> List.of();
            };
            assertEquals(expected, left);
            assertEquals(1, queue.recoveries());
            assertTrue(queue.offer("after"));
            assertEquals("after", queue.poll());
        }
    }

    @Test
    void queueCapturedByAJvmProcessAndAPoolTaskAttachesThere() throws Exception {
        try (SharedQueue<String> queue = SharedQueue.<String>builder().capacity(8).allowClasses("java.net.URI").build();
             SharedQueue<Object> uris = SharedQueue.<Object>builder().capacity(2).allowClasses("java.net.URI").build()) {
            try (JvmProcess child = JvmProcess.builder().target(() -> {
                queue.offer("from " + JvmProcess.current().name());
                uris.offer(URI.create("https://example.org/x")); // the allow-list travelled with the handle
            }).start()) {
                child.join();
                assertEquals(0, child.exitCode().orElseThrow());
            }
            try (ProcessPool pool = ProcessPool.create(1)) {
                pool.submit(() -> queue.offer("from a pool task")).get(WITHIN.toMillis(), TimeUnit.MILLISECONDS);
                String back = pool.submit(() -> uris.take().toString()).get(WITHIN.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals("https://example.org/x", back);
            }
            assertTrue(queue.poll().startsWith("from "));
            assertEquals("from a pool task", queue.poll());
        }
    }

    @Test
    void tooBigItemNotAllowedClassClosedHandleAndWrongKindFailClearly() {
        try (SharedQueue<Object> queue = SharedQueue.builder().capacity(2).maxItemBytes(16).build();
             SharedLongArray array = SharedLongArray.create(4)) {
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                    () -> queue.offer("x".repeat(100)));
            assertTrue(big.getMessage().matches("item of \\d+ bytes .* larger than the 16-byte limit .*"),
                    big.getMessage());
            assertEquals(0, queue.size(), "nothing was written");

            IllegalArgumentException refusal = assertThrows(IllegalArgumentException.class,
                    () -> queue.offer(new ArrayList<>(List.of(URI.create("https://example.org")))));
            ClassNotAllowedException refused = assertInstanceOf(ClassNotAllowedException.class, refusal.getCause());
            assertEquals("java.net.URI", refused.className());
            assertTrue(refusal.getMessage().contains("SharedQueue.builder().allowClasses"), refusal.getMessage());
            assertEquals(0, queue.size(), "nothing was written");

            SegmentFormatException wrongKind = assertThrows(SegmentFormatException.class,
                    () -> SharedQueue.open(array.name()));
            assertTrue(wrongKind.getMessage().contains("SharedLongArray"), wrongKind.getMessage());
            assertThrows(SegmentFormatException.class, () -> SharedLongArray.open(queue.name()));

            try (SharedQueue<Object> other = SharedQueue.open(queue.name())) {
                assertTrue(other.offer(7));
                assertEquals(16, other.maxItemBytes());
            }
            assertEquals(7, queue.poll());
            queue.close();
            queue.close();
            assertTrue(queue.isClosed());
            assertThrows(SegmentClosedException.class, () -> queue.offer(1));
            assertThrows(SegmentClosedException.class, queue::poll);
            assertThrows(SegmentClosedException.class, queue::size);
            assertThrows(SegmentNotFoundException.class, () -> SharedQueue.open(queue.name()),
                    "the creator's close unlinked it");
        }
    }
}
