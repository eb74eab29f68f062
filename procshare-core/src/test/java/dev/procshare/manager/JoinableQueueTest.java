package dev.procshare.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.process.JvmProcess;
import dev.procshare.testkit.NoLeaks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link JoinableQueue}: the task count in one JVM, then across real JVMs, including a consumer killed mid-task. */
@ExtendWith(NoLeaks.class)
@Timeout(180)
class JoinableQueueTest {
    private static final Duration BOUND = Duration.ofSeconds(90);

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    @Test
    void joinWaitsForEveryTaskDoneAndRefusesOneTooMany() throws Exception {
        try (Manager manager = Manager.builder().inProcess().start()) {
            JoinableQueue<String> q = manager.joinableQueue();
            assertTrue(q.join(0, TimeUnit.SECONDS), "nothing put: join returns at once");
            q.put("a");
            q.put("b");
            assertEquals(2, q.unfinishedTasks());
            assertFalse(q.join(50, TimeUnit.MILLISECONDS), "two tasks unfinished");
            CompletableFuture<Void> joined = CompletableFuture.runAsync(() -> {
                try {
                    q.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals("a", q.take());
            q.taskDone();
            assertEquals("b", q.take());
            assertFalse(joined.isDone(), "one task still unfinished");
            q.taskDone();
            joined.get(30, TimeUnit.SECONDS);
            assertEquals(0, q.unfinishedTasks());
            IllegalStateException tooMany = assertThrows(IllegalStateException.class, q::taskDone);
            assertTrue(tooMany.getMessage().contains("more times than items were put"), tooMany.getMessage());
        }
    }

    @Test
    void itemsRemovedWithoutBeingTakenCountAsDoneAndABoundedQueueWaitsForRoom() throws Exception {
        try (Manager manager = Manager.builder().inProcess().start()) {
            JoinableQueue<Integer> q = manager.joinableQueue(2);
            assertTrue(q.offer(1));
            assertTrue(q.offer(2));
            assertFalse(q.offer(3, 50, TimeUnit.MILLISECONDS), "full");
            assertTrue(q.remove(2));
            assertEquals(1, q.unfinishedTasks());
            q.clear();
            assertEquals(0, q.unfinishedTasks());
            assertTrue(q.join(1, TimeUnit.SECONDS));
            assertTrue(q.toString().startsWith("ManagedJoinableQueue#"), q.toString());
        }
    }

    @Test
    void twoConsumerProcessesFinishEveryTaskAndTheProducerJoins() throws Exception {
        int items = 40;
        try (Manager manager = Manager.start()) {
            JoinableQueue<Integer> q = manager.joinableQueue();
            List<Integer> done = manager.list();
            List<JvmProcess> consumers = new ArrayList<>();
            try {
                for (int c = 0; c < 2; c++) {
                    consumers.add(JvmProcess.builder().target(() -> {
                        try {
                            for (;;) {
                                Integer item = q.poll(60, TimeUnit.SECONDS);
                                if (item == null || item < 0) {
                                    q.taskDone();
                                    return;
                                }
                                done.add(item);
                                q.taskDone();
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }).start());
                }
                for (int i = 0; i < items; i++) {
                    q.put(i);
                }
                assertTrue(q.join(90, TimeUnit.SECONDS), "every task is marked done");
                assertEquals(IntStream.range(0, items).boxed().collect(Collectors.toSet()), new TreeSet<>(done));
                assertEquals(items, done.size(), "each item once");
                q.put(-1);
                q.put(-1);
                for (JvmProcess consumer : consumers) {
                    assertTrue(consumer.join(BOUND), "a consumer did not stop");
                    assertEquals(0, consumer.exitCode().getAsInt());
                }
                assertTrue(q.join(10, TimeUnit.SECONDS));
            } finally {
                consumers.forEach(JvmProcess::close);
            }
        }
    }

    @Test
    void aConsumerKilledBeforeTaskDoneGivesItsItemBackSoJoinCanReturn() throws Exception {
        try (Manager manager = Manager.start()) {
            JoinableQueue<String> q = manager.joinableQueue();
            ManagedEvent took = manager.event();
            q.put("first");
            q.put("second");
            try (JvmProcess consumer = JvmProcess.builder().target(() -> {
                try {
                    q.take();
                    q.taskDone(); // finished "first"
                    q.take();     // holds "second" and dies before marking it done
                    took.set();
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).start()) {
                assertTrue(took.await(90, TimeUnit.SECONDS), "the consumer never took both items");
                assertEquals(0, q.size());
                assertEquals(1, q.unfinishedTasks());
                consumer.kill();
                assertEquals("second", q.poll(10, TimeUnit.SECONDS), "the unfinished item came back");
                assertEquals(Set.of(), Set.copyOf(q), "only that one: the finished item did not");
                q.taskDone();
                assertTrue(q.join(10, TimeUnit.SECONDS));
            }
        }
    }
}
