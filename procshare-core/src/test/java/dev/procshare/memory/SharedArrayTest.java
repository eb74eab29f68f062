package dev.procshare.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.NoLeaks;
import java.nio.DoubleBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class SharedArrayTest {

    @Test
    void childBulkWritesMillionDoublesParentVerifies() {
        int n = 1_000_000;
        try (SharedDoubleArray array = SharedDoubleArray.create(n);
             SharedLong nanos = SharedLong.create(-1)) {
            ChildJvm.task(() -> {
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    values[i] = i * 0.5;
                }
                long start = System.nanoTime();
                array.copyFrom(values);
                nanos.set(System.nanoTime() - start);
            }).run();
            double[] back = array.toArray();
            for (int i = 0; i < n; i++) {
                if (back[i] != i * 0.5) {
                    throw new AssertionError("element " + i + " is " + back[i]);
                }
            }
            assertTrue(nanos.get() > 0);
        }
    }

    @Test
    void arraysBehaveLikeAtomicArrays() {
        try (SharedLongArray longs = SharedLongArray.copyOf(new long[] {1, 2, 3});
             SharedIntArray ints = SharedIntArray.create(4);
             SharedDoubleArray doubles = SharedDoubleArray.create(2);
             SharedByteArray bytes = SharedByteArray.create(7)) {
            assertEquals(3, longs.length());
            assertEquals(2, longs.getAndAdd(1, 10));
            assertEquals(12, longs.get(1));
            assertEquals(true, longs.compareAndSet(2, 3, 30));
            assertEquals(60, longs.updateAndGet(2, v -> v * 2));
            assertArrayEquals(new long[] {1, 12, 60}, longs.toArray());

            ints.set(3, 7);
            assertEquals(8, ints.incrementAndGet(3));
            assertEquals(8, ints.getAndSet(3, 1));
            assertEquals(5, ints.accumulateAndGet(3, 5, Math::max));

            doubles.set(0, 1.5);
            assertEquals(4.0, doubles.addAndGet(0, 2.5));
            assertTrue(doubles.compareAndSet(1, 0.0, Double.NaN));
            assertTrue(doubles.compareAndSet(1, Double.NaN, 1.0), "NaN bits compare equal");
            DoubleBuffer view = doubles.asDoubleBuffer();
            assertEquals(4.0, view.get(0));
            view.put(1, 9.0);
            assertEquals(9.0, doubles.get(1));

            for (int i = 0; i < 7; i++) {
                bytes.set(i, (byte) i);
            }
            assertTrue(bytes.compareAndSet(5, (byte) 5, (byte) -1));
            assertEquals((byte) -1, bytes.getAndAdd(5, (byte) 2));
            assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 1, 6}, bytes.toArray(), "neighbours untouched");

            assertThrows(IndexOutOfBoundsException.class, () -> longs.get(3));
            assertThrows(IndexOutOfBoundsException.class, () -> ints.set(-1, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> doubles.copyFrom(1, new double[2], 0, 2));
        }
    }

    @Test
    void namedArrayOpensInAnotherProcessAndWrongTypeIsRefused() {
        try (SharedIntArray ints = SharedIntArray.create(16)) {
            String name = ints.name();
            ChildJvm.task(() -> {
                try (SharedIntArray same = SharedIntArray.open(name)) {
                    same.set(15, 42);
                }
                SegmentFormatException e = assertThrows(SegmentFormatException.class,
                        () -> SharedLongArray.open(name));
                assertTrue(e.getMessage().contains("SharedIntArray"), e.getMessage());
            }).run();
            assertEquals(42, ints.get(15));
        }
    }

    @Test
    void absurdLengthsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SharedLongArray.create(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SharedDoubleArray.create(SharedDoubleArray.MAX_LENGTH + 1));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }
}
