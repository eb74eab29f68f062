package dev.procshare.process;

import dev.procshare.codec.EncodesAsArrayList;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.Function;

/**
 * How {@code map} chunks travel without one object per element. Items and results that are all
 * {@code Integer}, all {@code Long} or all {@code Double} go as a primitive array (a chunk is always a list, so
 * a bare {@code int[]} can only mean "these ints, boxed"), and come back as read-only lists over those arrays
 * that box on {@code get}. Measured with {@code map(x -> (long) x * x)} over a million items: the parent's
 * young collections, which copied a million live {@code Long}s, had been most of the time.
 */
final class Chunks {
    private Chunks() {
    }

    /**
     * {@code items[from, to)} as an {@code int[]}, {@code long[]} or {@code double[]}; null if they are not all
     * one box type.
     */
    static Object compact(List<?> items, int from, int to) {
        int n = to - from;
        Object first = items.get(from);
        // One pass: filled while every item has the first one's class, abandoned at the first that has not.
        if (first instanceof Integer) {
            int[] a = new int[n];
            for (int i = 0; i < n; i++) {
                if (!(items.get(from + i) instanceof Integer v)) {
                    return null;
                }
                a[i] = v;
            }
            return a;
        }
        if (first instanceof Long) {
            long[] a = new long[n];
            for (int i = 0; i < n; i++) {
                if (!(items.get(from + i) instanceof Long v)) {
                    return null;
                }
                a[i] = v;
            }
            return a;
        }
        if (first instanceof Double) {
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
                if (!(items.get(from + i) instanceof Double v)) {
                    return null;
                }
                a[i] = v;
            }
            return a;
        }
        return null;
    }

    /** In a worker: {@code fn} applied to each item of a decoded chunk, results compacted where they can be. */
    static Object apply(Function<Object, Object> fn, Object items) {
        if (items instanceof int[] a) {
            Results out = new Results(a.length);
            for (int x : a) {
                out.add(fn.apply(x));
            }
            return out.value();
        }
        if (items instanceof long[] a) {
            Results out = new Results(a.length);
            for (long x : a) {
                out.add(fn.apply(x));
            }
            return out.value();
        }
        if (items instanceof double[] a) {
            Results out = new Results(a.length);
            for (double x : a) {
                out.add(fn.apply(x));
            }
            return out.value();
        }
        List<?> list = (List<?>) items;
        Results out = new Results(list.size());
        for (Object item : list) {
            out.add(fn.apply(item));
        }
        return out.value();
    }

    /**
     * A chunk's decoded results as a list: the list itself, or a read-only view over a primitive array; null
     * for anything else (not what a worker sends).
     */
    static List<Object> asList(Object results) {
        if (results instanceof int[] || results instanceof long[] || results instanceof double[]) {
            return new PrimitiveView(results);
        }
        if (results instanceof List<?> list) {
            @SuppressWarnings("unchecked")
            List<Object> typed = (List<Object>) list;
            return typed;
        }
        return null;
    }

    /**
     * The results of a whole map call, in order, without copying: every part but the last holds exactly
     * {@code chunk} results (checked by the caller).
     */
    static <R> List<R> concat(List<List<Object>> parts, int chunk, int size) {
        return new Concat<>(parts, chunk, size);
    }

    /** Collects results as primitives while they are all one box type, as objects from the first that is not. */
    private static final class Results {
        private final int capacity;
        private int[] ints;
        private long[] longs;
        private double[] doubles;
        private ArrayList<Object> objects;
        private int n;

        Results(int capacity) {
            this.capacity = capacity;
        }

        void add(Object r) {
            if (ints != null) {
                if (r instanceof Integer i) {
                    ints[n++] = i;
                    return;
                }
            } else if (longs != null) {
                if (r instanceof Long l) {
                    longs[n++] = l;
                    return;
                }
            } else if (doubles != null) {
                if (r instanceof Double d) {
                    doubles[n++] = d;
                    return;
                }
            } else if (objects == null) {
                if (r instanceof Integer i) {
                    ints = new int[capacity];
                    ints[n++] = i;
                    return;
                }
                if (r instanceof Long l) {
                    longs = new long[capacity];
                    longs[n++] = l;
                    return;
                }
                if (r instanceof Double d) {
                    doubles = new double[capacity];
                    doubles[n++] = d;
                    return;
                }
                objects = new ArrayList<>(capacity);
            }
            if (objects == null) {
                objects = new ArrayList<>(capacity);
                objects.addAll(asList(value()));
                ints = null;
                longs = null;
                doubles = null;
            }
            objects.add(r);
        }

        Object value() {
            if (ints != null) {
                return n == ints.length ? ints : Arrays.copyOf(ints, n);
            }
            if (longs != null) {
                return n == longs.length ? longs : Arrays.copyOf(longs, n);
            }
            if (doubles != null) {
                return n == doubles.length ? doubles : Arrays.copyOf(doubles, n);
            }
            return objects != null ? objects : new ArrayList<>();
        }
    }

    /**
     * Base of the read-only result lists. They encode (FastCodec) and serialize as a plain {@code ArrayList},
     * so a map result can be put in a manager object or sent to a task like any list.
     */
    private abstract static class ReadOnly<E> extends AbstractList<E>
            implements RandomAccess, Serializable, EncodesAsArrayList {
        private static final long serialVersionUID = 1L;

        Object writeReplace() throws ObjectStreamException {
            return new ArrayList<>(this);
        }
    }

    /** A read-only list over an {@code int[]}, {@code long[]} or {@code double[]}, boxing on {@code get}. */
    private static final class PrimitiveView extends ReadOnly<Object> {
        private static final long serialVersionUID = 1L;
        private final Object array;
        private final int size;

        PrimitiveView(Object array) {
            this.array = array;
            this.size = java.lang.reflect.Array.getLength(array);
        }

        @Override
        public Object get(int i) {
            if (array instanceof int[] a) {
                return a[i];
            }
            if (array instanceof long[] a) {
                return a[i];
            }
            return ((double[]) array)[i];
        }

        @Override
        public int size() {
            return size;
        }
    }

    private static final class Concat<R> extends ReadOnly<R> {
        private static final long serialVersionUID = 1L;
        private final transient List<List<Object>> parts;
        private final int chunk;
        private final int size;

        Concat(List<List<Object>> parts, int chunk, int size) {
            this.parts = parts;
            this.chunk = chunk;
            this.size = size;
        }

        @Override
        @SuppressWarnings("unchecked")
        public R get(int i) {
            Objects.checkIndex(i, size);
            return (R) parts.get(i / chunk).get(i % chunk);
        }

        @Override
        public int size() {
            return size;
        }
    }
}
