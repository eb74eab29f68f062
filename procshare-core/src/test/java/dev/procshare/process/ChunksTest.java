package dev.procshare.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.procshare.codec.FastCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ChunksTest {

    @Test
    void itemsOfOneBoxTypeTravelAsPrimitiveArrays() {
        List<Object> items = List.of(1, 2, 3, 4);
        assertArrayEquals(new int[] {2, 3}, (int[]) Chunks.compact(items, 1, 3));
        assertArrayEquals(new long[] {5L, 6L}, (long[]) Chunks.compact(List.of(5L, 6L), 0, 2));
        assertArrayEquals(new double[] {0.5}, (double[]) Chunks.compact(List.of(0.5), 0, 1));
        assertNull(Chunks.compact(List.of(1, 2L), 0, 2), "mixed boxes stay a list");
        assertNull(Chunks.compact(Arrays.asList(1, null), 0, 2), "a null stays a list");
        assertNull(Chunks.compact(List.of("a"), 0, 1));
    }

    @Test
    void resultsStayPrimitiveUntilOneIsNot() throws Exception {
        Function<Object, Object> square = x -> (long) (Integer) x * (Integer) x;
        Object squares = Chunks.apply(square, new int[] {1, 2, 3});
        assertArrayEquals(new long[] {1, 4, 9}, (long[]) squares);
        assertEquals(List.of(1L, 4L, 9L), Chunks.asList(squares));

        // The third result is a String: the first two are boxed into the object list, in order.
        Function<Object, Object> mixed = x -> (Integer) x < 3 ? (Object) ((Integer) x * 10) : "big";
        Object out = Chunks.apply(mixed, List.of(1, 2, 3, 4));
        assertEquals(new ArrayList<>(List.of(10, 20, "big", "big")), out);
        assertEquals(Arrays.asList(null, 2.0), Chunks.apply(x -> (Long) x == 0 ? null : 2.0, new long[] {0, 1}));
        assertEquals(List.of(), Chunks.apply(x -> x, List.of()));
        // What a worker sends is what the parent decodes: a primitive array stays one.
        assertArrayEquals((long[]) squares, (long[]) FastCodec.INSTANCE.decode(FastCodec.INSTANCE.encode(squares)));
        assertNull(Chunks.asList("not a chunk"));
    }

    @Test
    void concatenatedResultsAreReadOnlyAndSerializeAsAnArrayList() throws Exception {
        List<List<Object>> parts = List.of(Chunks.asList(new int[] {0, 1, 2}), Chunks.asList(new int[] {3, 4, 5}),
                Chunks.asList(new int[] {6}));
        List<Integer> all = Chunks.concat(parts, 3, 7);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), all);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6).hashCode(), all.hashCode());
        assertThrows(IndexOutOfBoundsException.class, () -> all.get(7));
        assertThrows(IndexOutOfBoundsException.class, () -> all.get(-1));
        assertThrows(UnsupportedOperationException.class, () -> all.set(0, 9));
        assertThrows(UnsupportedOperationException.class, () -> all.add(9));

        // FastCodec (what the manager and tasks' results use) encodes the view as the ArrayList it equals.
        byte[] fast = FastCodec.INSTANCE.encode(all);
        assertArrayEquals(FastCodec.INSTANCE.encode(new ArrayList<>(all)), fast);
        assertInstanceOf(ArrayList.class, FastCodec.INSTANCE.decode(fast));
        List<Object> longs = Chunks.asList(new long[] {1L << 40, 2});
        assertEquals(new ArrayList<>(List.of(1L << 40, 2L)), FastCodec.INSTANCE.decode(FastCodec.INSTANCE.encode(longs)));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(all);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            Object back = in.readObject();
            assertInstanceOf(ArrayList.class, back);
            assertEquals(all, back);
        }
    }
}
