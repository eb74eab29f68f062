package dev.procshare.bench;

import dev.procshare.manager.Manager;
import dev.procshare.memory.SharedEvent;
import dev.procshare.memory.SharedLong;
import dev.procshare.memory.SharedQueue;
import dev.procshare.process.JvmProcess;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** One producer JVM passing small items ({@code Integer}s) to one consumer JVM through a queue. */
final class QueueBench {
    /** The capacity of the bounded queues, Java's and Python's alike. */
    static final int CAPACITY = 1024;

    private QueueBench() {
    }

    /** Items per second through a {@link SharedQueue}. */
    static double sharedQueue(int items, int warmUp) throws Exception {
        try (SharedQueue<Integer> queue = SharedQueue.<Integer>builder().capacity(CAPACITY).maxItemBytes(16).build()) {
            return itemsPerSecond(queue, items, warmUp);
        }
    }

    /** Items per second through a manager's {@code queue(capacity)}, the server in its own JVM. */
    static double managerQueue(int items, int warmUp) throws Exception {
        try (Manager manager = Manager.start()) {
            return itemsPerSecond(manager.queue(CAPACITY), items, warmUp);
        }
    }

    /**
     * Both sides pass {@code warmUp} items first (so that both are compiled), then wait for a common start;
     * the consumer times from the start to its last item and checks that it got every item once, in order.
     */
    private static double itemsPerSecond(BlockingQueue<Integer> queue, int items, int warmUp) throws Exception {
        try (SharedLong ready = SharedLong.create(0);
             SharedEvent go = SharedEvent.create();
             JvmProcess producer = JvmProcess.builder().call(() -> {
                 for (int i = 0; i < warmUp; i++) {
                     queue.put(i);
                 }
                 ready.incrementAndGet();
                 go.await(120, TimeUnit.SECONDS);
                 for (int i = 0; i < items; i++) {
                     queue.put(i);
                 }
                 return 0L;
             }).start();
             JvmProcess consumer = JvmProcess.builder().call(() -> {
                 for (int i = 0; i < warmUp; i++) {
                     queue.take();
                 }
                 ready.incrementAndGet();
                 go.await(120, TimeUnit.SECONDS);
                 long start = System.nanoTime();
                 for (int i = 0; i < items; i++) {
                     int item = queue.take();
                     if (item != i) {
                         throw new IllegalStateException("item " + i + " arrived as " + item);
                     }
                 }
                 return System.nanoTime() - start;
             }).start()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (ready.get() < 2) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("queue benchmark workers did not get ready");
                }
                Thread.sleep(1);
            }
            go.set();
            long nanos = consumer.<Long>result(Duration.ofMinutes(5));
            producer.result(Duration.ofMinutes(1));
            return items * 1e9 / nanos;
        }
    }
}
