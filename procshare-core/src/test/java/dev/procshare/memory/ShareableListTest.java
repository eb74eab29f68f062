package dev.procshare.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.process.JvmProcess;
import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.NoLeaks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
@Timeout(180)
class ShareableListTest {
    private static final Duration BOUND = Duration.ofSeconds(90);

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    @Test
    void holdsPythonsItemTypesAndRefusesWhatDoesNotFit() {
        try (ShareableList list = ShareableList.create(Arrays.asList(7, 2.5f, "howdy", true, null, new byte[] {1, 2}))) {
            assertEquals(6, list.size());
            assertEquals(7L, list.get(0), "integral numbers come back as Long");
            assertEquals(2.5, list.get(1));
            assertEquals("howdy", list.get(2));
            assertEquals(true, list.get(3));
            assertNull(list.get(4));
            assertArrayEquals(new byte[] {1, 2}, (byte[]) list.get(5));
            assertEquals(8, list.itemCapacity(), "the longest initial item, at least 8 bytes");

            assertEquals(7L, list.set(0, "any type"), "set returns the previous item");
            assertEquals("any type", list.get(0));
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                    () -> list.set(2, "more than eight bytes"));
            assertTrue(tooLong.getMessage().contains("exceeds the list's item capacity of 8"), tooLong.getMessage());
            assertEquals("howdy", list.get(2), "a refused value leaves the item unchanged");
            IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                    () -> list.set(3, List.of()));
            assertTrue(type.getMessage().contains("not java.util.ImmutableCollections"), type.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> list.add(1));
            assertThrows(IndexOutOfBoundsException.class, () -> list.get(6));

            list.set(4, 2);
            list.set(1, 2L);
            assertEquals(2, list.count(2), "Integer and Long 2 are the same item");
            assertEquals(1, list.indexOf(2));
            assertEquals(5, list.indexOf(new byte[] {1, 2}), "bytes compare by content");
            assertEquals(3L, list.update(4, v -> (Long) v + 1));

            try (ShareableList same = ShareableList.open(list.name())) {
                assertEquals(list.subList(0, 5), same.subList(0, 5));
                same.set(3, false);
                assertEquals(false, list.get(3), "one memory");
                assertEquals(list, same);
            }
            assertThrows(SegmentFormatException.class, () -> SharedLongArray.open(list.name()));
            list.close();
            list.close();
            assertThrows(SegmentClosedException.class, () -> list.get(0));
            assertTrue(list.toString().contains("closed"), list.toString());
        }
    }

    @Test
    void twoProcessesUpdateOneItemExactlyAndSetTextTheParentReads() throws Exception {
        int each = 5_000;
        try (ShareableList list = ShareableList.create(null, Arrays.asList(0, "", false), 32)) {
            List<JvmProcess> children = new ArrayList<>();
            try {
                for (int c = 0; c < 2; c++) {
                    String label = "child " + c;
                    children.add(JvmProcess.builder().target(() -> {
                        for (int i = 0; i < each; i++) {
                            list.update(0, v -> (Long) v + 1);
                        }
                        list.set(1, label);
                        list.set(2, true);
                    }).start());
                }
                for (JvmProcess child : children) {
                    assertTrue(child.join(BOUND), "a child did not finish");
                    assertEquals(0, child.exitCode().getAsInt());
                }
            } finally {
                children.forEach(JvmProcess::close);
            }
            assertEquals(2L * each, list.get(0));
            assertTrue(((String) list.get(1)).startsWith("child "));
            assertEquals(true, list.get(2));
        }
    }

    @Test
    void aReaderNeverSeesHalfAWrite() {
        try (ShareableList list = ShareableList.create(null, List.of("a"), 64);
             SharedBoolean stop = SharedBoolean.create(false);
             SharedLong writes = SharedLong.create(0)) {
            try (ChildJvm writer = ChildJvm.task(() -> {
                String longer = "b".repeat(64);
                for (long i = 0; !stop.get(); i++) {
                    list.set(0, i % 2 == 0 ? longer : "a");
                    writes.incrementAndGet();
                }
            }).start()) {
                int seenLonger = 0;
                long deadline = System.nanoTime() + BOUND.toNanos();
                for (int reads = 0; reads < 100_000 || writes.get() < 20_000; reads++) {
                    assertTrue(System.nanoTime() < deadline, "the writer did not write 20000 times");
                    String s = (String) list.get(0);
                    if (!s.equals("a")) {
                        assertEquals("b".repeat(64), s, "a torn item");
                        seenLonger++;
                    }
                }
                stop.set(true);
                writer.awaitExit(BOUND);
                assertTrue(seenLonger > 0, "reads overlapped the writes");
            }
        }
    }

    @Test
    void aWriterKilledInsideAnUpdateLeavesTheLastValueAndTheLockIsTakenOver() {
        try (ShareableList list = ShareableList.create(List.of("before"));
             SharedBoolean inside = SharedBoolean.create(false)) {
            try (ChildJvm holder = ChildJvm.task(() -> list.update(0, v -> {
                inside.set(true);
                try {
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "never";
            })).start()) {
                long deadline = System.nanoTime() + BOUND.toNanos();
                while (!inside.get()) {
                    assertTrue(System.nanoTime() < deadline, "the child never entered its update");
                    Thread.onSpinWait();
                }
                holder.kill();
            }
            assertEquals("before", list.get(0), "readers are not blocked by a dead writer");
            assertEquals("before", list.set(0, "after"), "the next writer takes the lock over");
            assertEquals("after", list.get(0));
            assertFalse(list.isClosed());
        }
    }
}
