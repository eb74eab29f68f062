package dev.procshare.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.StreamCorruptedException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FastCodecTest {
    private final FastCodec codec = FastCodec.INSTANCE;

    private Object roundTrip(Object value) throws Exception {
        return codec.decode(codec.encode(value));
    }

    @Test
    void valuesComeBackEqualAndOfTheSameClass() throws Exception {
        List<Object> values = Arrays.asList(null, true, false, (byte) -3, (short) 300, 'x', 42, -7L, 1.5f, 2.25,
                "héllo ✓", new BigDecimal("1.10"));
        for (Object v : values) {
            Object back = roundTrip(v);
            assertEquals(v, back);
            if (v != null) {
                assertEquals(v.getClass(), back.getClass());
            }
        }
        assertArrayEquals(new byte[] {1, 2}, (byte[]) roundTrip(new byte[] {1, 2}));
        assertArrayEquals(new int[] {1, -2}, (int[]) roundTrip(new int[] {1, -2}));
        assertArrayEquals(new long[] {Long.MIN_VALUE}, (long[]) roundTrip(new long[] {Long.MIN_VALUE}));
        assertArrayEquals(new double[] {Double.NaN, -0.0}, (double[]) roundTrip(new double[] {Double.NaN, -0.0}));
    }

    @Test
    void collectionsKeepTheirClassOrderAndMixedContents() throws Exception {
        ArrayList<Object> ints = new ArrayList<>(List.of(1, 2, 3));
        ArrayList<Object> mixed = new ArrayList<>(Arrays.asList(1, "two", null, 3L, new ArrayList<>(List.of(4.0))));
        LinkedHashMap<Object, Object> linked = new LinkedHashMap<>();
        linked.put("z", 1);
        linked.put("a", List.of(2));
        HashMap<Object, Object> hash = new HashMap<>(Map.of(1, "one"));
        assertEquals(ints, roundTrip(ints));
        assertEquals(mixed, roundTrip(mixed));
        Object back = roundTrip(linked);
        assertInstanceOf(LinkedHashMap.class, back);
        assertEquals(List.of("z", "a"), new ArrayList<>(((Map<?, ?>) back).keySet()));
        assertEquals(hash, roundTrip(hash));
        assertEquals(List.of(1, 2), roundTrip(List.of(1, 2)), "other lists travel by Java serialization");
    }

    @Test
    void packedListsAreSmall() throws Exception {
        ArrayList<Integer> million = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            million.add(i);
        }
        byte[] bytes = codec.encode(million);
        assertTrue(bytes.length < 4_000_100, bytes.length + " bytes");
        assertEquals(million, codec.decode(bytes));
    }

    @Test
    void primitiveArraysAreCopiedInBulkAsBigEndianValues() throws Exception {
        Random random = new Random(7);
        int[] ints = random.ints(100_000).toArray();
        long[] longs = random.longs(100_000).toArray();
        double[] doubles = random.doubles(100_000).toArray();
        doubles[0] = Double.NaN;
        assertArrayEquals(ints, (int[]) roundTrip(ints));
        assertArrayEquals(longs, (long[]) roundTrip(longs));
        assertArrayEquals(doubles, (double[]) roundTrip(doubles));
        byte[] two = codec.encode(new int[] {1, -2});
        assertArrayEquals(new byte[] {0, 0, 0, 2, 0, 0, 0, 1, -1, -1, -1, -2},
                Arrays.copyOfRange(two, two.length - 12, two.length), "count, then each int big-endian");
        byte[] good = codec.encode(new long[] {1, 2, 3});
        for (int cut = 1; cut < good.length; cut++) {
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThrows(IOException.class, () -> codec.decode(truncated), "cut at " + cut);
        }
    }

    @Test
    void stringsComeBackExactlyEvenWithLoneSurrogates() throws Exception {
        String pair = "a\uD83D\uDE00b";                 // a well-formed emoji: travels as UTF-8
        String lone = "x\uD83Dy\uDE00";                  // lone high and low surrogates: UTF-8 would make '?'
        assertEquals(pair, roundTrip(pair));
        assertEquals(lone, roundTrip(lone));
        assertEquals("\uD83D", roundTrip("\uD83D"));
        assertEquals(new ArrayList<>(List.of(lone, pair)), roundTrip(new ArrayList<>(List.of(lone, pair))));
        byte[] cut = codec.encode(lone);
        assertThrows(IOException.class, () -> codec.decode(Arrays.copyOf(cut, cut.length - 1)));
    }

    @Test
    void garbageAndTruncatedInputFailClearly() throws Exception {
        assertThrows(StreamCorruptedException.class, () -> codec.decode(new byte[0]));
        assertThrows(StreamCorruptedException.class, () -> codec.decode(new byte[] {1, 2, 3}));
        byte[] good = codec.encode(new ArrayList<>(List.of("a", "b", "c")));
        for (int cut = 1; cut < good.length; cut++) {
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThrows(IOException.class, () -> codec.decode(truncated), "cut at " + cut);
        }
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            byte[] noise = new byte[1 + random.nextInt(64)];
            random.nextBytes(noise);
            noise[0] = good[0];
            try {
                codec.decode(noise);
            } catch (IOException | ClassNotFoundException | ClassCastException expected) {
                // refused cleanly: what matters is no other exception and no huge allocation
            }
        }
    }

    @Test
    void unserializableValueNamesItsClass() {
        NotSerializableException e = assertThrows(NotSerializableException.class,
                () -> codec.encode(new ArrayList<>(List.of(new Object()))));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    }
}
