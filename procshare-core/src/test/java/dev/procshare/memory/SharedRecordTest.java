package dev.procshare.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.process.JvmProcess;
import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.NoLeaks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
@Timeout(180)
class SharedRecordTest {
    private static final Duration BOUND = Duration.ofSeconds(90);

    record Position(long id, double x, double y, boolean valid, char grade, short lane, byte flags, float speed,
                    int hits) {
    }

    /** Two counters that every write keeps equal: a reader seeing them differ saw half a write. */
    record Pair(long a, int pad, long b) {
    }

    record Named(String name) {
    }

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    @Test
    void holdsEveryPrimitiveComponentAndUpdatesAtomically() {
        Position start = new Position(1, 0.5, -2, false, 'A', (short) 3, (byte) -1, 1.5f, 0);
        try (SharedRecord<Position> p = SharedRecord.create(Position.class, start)) {
            assertEquals(start, p.get());
            Position moved = p.update(q -> new Position(q.id(), q.x() + 1, q.y(), true, 'B', q.lane(), q.flags(),
                    q.speed(), q.hits() + 1));
            assertEquals(moved, p.get());
            assertEquals(1.5, p.get().x());
            assertTrue(p.compareAndSet(moved, start));
            assertFalse(p.compareAndSet(moved, start), "no longer equal");
            assertEquals(start, p.getAndUpdate(q -> moved));
            assertEquals(Position.class, p.type());

            try (SharedRecord<Position> same = SharedRecord.open(p.name(), Position.class)) {
                assertEquals(moved, same.get());
            }
            SegmentFormatException other = assertThrows(SegmentFormatException.class,
                    () -> SharedRecord.open(p.name(), Pair.class));
            assertTrue(other.getMessage().contains("Position") && other.getMessage().contains("Pair"),
                    other.getMessage());
            p.close();
            assertThrows(SegmentClosedException.class, p::get);
        }
        IllegalArgumentException notPrimitive = assertThrows(IllegalArgumentException.class,
                () -> SharedRecord.create(Named.class, new Named("x")));
        assertTrue(notPrimitive.getMessage().contains("only primitive components"), notPrimitive.getMessage());
    }

    @Test
    void twoProcessesUpdateTogetherWhileTheParentNeverSeesAMix() throws Exception {
        int each = 5_000;
        try (SharedRecord<Pair> pair = SharedRecord.create(Pair.class, new Pair(0, 7, 0))) {
            List<JvmProcess> children = new ArrayList<>();
            try {
                for (int c = 0; c < 2; c++) {
                    children.add(JvmProcess.builder().target(() -> {
                        for (int i = 0; i < each; i++) {
                            pair.update(q -> new Pair(q.a() + 1, q.pad(), q.b() + 1));
                        }
                    }).start());
                }
                while (children.stream().anyMatch(JvmProcess::isAlive)) {
                    Pair seen = pair.get();
                    assertEquals(seen.a(), seen.b(), "fields of one write");
                }
                for (JvmProcess child : children) {
                    assertTrue(child.join(BOUND), "a child did not finish");
                    assertEquals(0, child.exitCode().getAsInt());
                }
            } finally {
                children.forEach(JvmProcess::close);
            }
            assertEquals(new Pair(2L * each, 7, 2L * each), pair.get());
        }
    }

    @Test
    void aJavaSerializedHandleAttachesToTheRecordItNames() {
        try (SharedRecord<Pair> pair = SharedRecord.create(Pair.class, new Pair(1, 2, 3))) {
            ChildJvm.task(() -> {
                if (!pair.get().equals(new Pair(1, 2, 3))) {
                    throw new AssertionError("child sees " + pair.get());
                }
                pair.set(new Pair(4, 5, 6));
            }).run();
            assertEquals(new Pair(4, 5, 6), pair.get());
        }
    }
}
