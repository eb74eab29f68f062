package dev.procshare.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.NoLeaks;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Lock-free updates from several JVMs at once lose nothing. */
@ExtendWith(NoLeaks.class)
class SharedCounterTest {
    private static final int JVMS = 4;
    private static final int PER_JVM = 1_000_000;

    @Test
    void fourJvmsIncrementOneSharedLongExactly() {
        try (SharedLong counter = SharedLong.create(0)) {
            runInJvms(() -> {
                for (int i = 0; i < PER_JVM; i++) {
                    counter.incrementAndGet();
                }
            });
            assertEquals((long) JVMS * PER_JVM, counter.get());
        }
    }

    @Test
    void fourJvmsUpdateOneSharedDoubleExactly() {
        try (SharedDouble sum = SharedDouble.create(0.0)) {
            runInJvms(() -> {
                for (int i = 0; i < PER_JVM; i++) {
                    sum.updateAndGet(v -> v + 1.0);
                }
            });
            assertEquals((double) JVMS * PER_JVM, sum.get());
        }
    }

    @Test
    void intAndArrayElementsCountExactlyAcrossJvms() {
        try (SharedInt counter = SharedInt.create(0);
             SharedLongArray slots = SharedLongArray.create(8)) {
            runInJvms(() -> {
                for (int i = 0; i < 100_000; i++) {
                    counter.getAndIncrement();
                    slots.incrementAndGet(i & 7);
                }
            });
            assertEquals(JVMS * 100_000, counter.get());
            for (int i = 0; i < 8; i++) {
                assertEquals(JVMS * 100_000 / 8, slots.get(i));
            }
        }
    }

    private static void runInJvms(dev.procshare.testkit.SerializableRunnable task) {
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < JVMS; i++) {
                children.add(ChildJvm.task(task).optimized().start());
            }
            for (ChildJvm child : children) {
                child.awaitExit().assertSuccess();
            }
        } finally {
            children.forEach(ChildJvm::close);
        }
    }
}
