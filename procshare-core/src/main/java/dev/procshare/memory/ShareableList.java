package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.UnaryOperator;

/**
 * A fixed-length list of simple values in one shared-memory segment, Python's
 * {@code shared_memory.ShareableList}: items are {@code null}, {@link Boolean}, {@link Long} (any integral
 * number is stored as one), {@link Double} ({@code float} too), {@link String} (UTF-8) or {@code byte[]}.
 * Every item has the same capacity for text and bytes, fixed at creation: by default the largest initial
 * item's encoded length (at least 8 bytes); a longer value is refused.
 *
 * <p><b>Memory semantics.</b> {@link #set} is atomic and visible to every process at once after it returns:
 * it writes the value beside the current one and publishes it with one release store, and {@link #get} reads
 * without locking and never sees half a write (it retries while a write overtakes it). {@link #update}
 * is an atomic read-modify-write across processes (a writer lock in the segment). Python's ShareableList
 * has no such guarantee: a reader there can see a torn item.
 *
 * <p><b>If a process dies.</b> A writer killed during a {@code set} leaves the previous value in place, and
 * the next writer takes the writer lock over within milliseconds. The list lives while any process maps it;
 * its creator's {@link #close()} unlinks the name (processes already attached keep working on it).
 *
 * <p><b>Across processes.</b> Serializable (and {@link Portable}) as the segment's name: a task capturing a
 * list attaches to the same memory in its JVM. {@link #open(String)} attaches by name; a Python process
 * reads it with {@code python/procshare_shm.py}. The list's size is fixed: {@code add} and
 * {@code remove} throw {@link UnsupportedOperationException}, as Python's have no append.
 */
public final class ShareableList extends AbstractList<Object> implements RandomAccess, SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;
    /** Item tags in an area: {@code tag (int), length (int), bytes}. */
    private static final int NONE = 0, BOOLEAN = 1, LONG = 2, DOUBLE = 3, STRING = 4, BYTES = 5;
    private static final int ITEM_HEADER = 8;

    private final transient Cells cells;

    private ShareableList(Cells cells) {
        this.cells = cells;
    }

    /** A new list holding {@code items}, owned by this process; text and bytes items get the capacity of the longest. */
    public static ShareableList create(Collection<?> items) {
        return create(null, items, 0);
    }

    /**
     * A new list named {@code name} (null: a fresh unique name) holding {@code items}, each able to hold text
     * or bytes of up to {@code itemCapacity} bytes (0: the longest initial item's, at least 8).
     *
     * @throws IllegalArgumentException if an item has a type the list cannot hold, or does not fit
     */
    public static ShareableList create(String name, Collection<?> items, int itemCapacity) {
        Object[] values = items.toArray();
        int longest = 8;
        for (Object v : values) {
            longest = Math.max(longest, encodedLength(v));
        }
        if (itemCapacity < 0) {
            throw new IllegalArgumentException("item capacity must not be negative: " + itemCapacity);
        }
        int capacity = itemCapacity == 0 ? longest : itemCapacity;
        Cells cells = Cells.create(name, SegmentKind.SHAREABLE_LIST, "capacity=" + capacity, values.length,
                ITEM_HEADER + capacity);
        ShareableList list = new ShareableList(cells);
        try {
            for (int i = 0; i < values.length; i++) {
                list.set(i, values[i]);
            }
        } catch (RuntimeException e) {
            list.close();
            throw e;
        }
        return list;
    }

    /** Attaches to the list another process created under {@code name}. */
    public static ShareableList open(String name) {
        return open(Segments.defaultDirectory(), name);
    }

    static ShareableList open(Path directory, String name) {
        return new ShareableList(Cells.open(directory, name, SegmentKind.SHAREABLE_LIST));
    }

    /** The segment name, for {@link #open(String)} in another process (Python's {@code shm.name} is "procshare-" + this). */
    public String name() {
        return cells.segment.name;
    }

    /** The most bytes a text (UTF-8) or bytes item can hold. */
    public int itemCapacity() {
        return cells.areaBytes - ITEM_HEADER;
    }

    @Override
    public int size() {
        cells.buffer();
        return cells.count;
    }

    /** The item at {@code index}: a consistent value some complete {@code set} wrote; {@code byte[]} is a copy. */
    @Override
    public Object get(int index) {
        return cells.read(index, this::decode);
    }

    /**
     * Replaces the item at {@code index} atomically; returns the previous one.
     *
     * @throws IllegalArgumentException if the value's type cannot be held, or its encoding exceeds
     *         {@link #itemCapacity()}; the item is then unchanged
     */
    @Override
    public Object set(int index, Object value) {
        Cells.Writer writer = encoder(value);
        return cells.locked(() -> {
            Object previous = get(index);
            cells.writeHeld(index, writer);
            return previous;
        });
    }

    /**
     * Applies {@code function} to the item at {@code index} atomically across processes (no other write to
     * the list happens in between); returns the new item. Keep {@code function} short: writers wait for it.
     */
    public Object update(int index, UnaryOperator<Object> function) {
        return cells.locked(() -> {
            Object next = function.apply(get(index));
            cells.writeHeld(index, encoder(next));
            return next;
        });
    }

    /** How many items equal {@code value} (Python's {@code count}); {@code byte[]} items compare by content. */
    public int count(Object value) {
        int n = 0;
        for (int i = 0; i < size(); i++) {
            if (same(get(i), value)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public int indexOf(Object o) {
        for (int i = 0; i < size(); i++) {
            if (same(get(i), o)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int lastIndexOf(Object o) {
        for (int i = size() - 1; i >= 0; i--) {
            if (same(get(i), o)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean same(Object item, Object value) {
        Object v = normalize(value);
        return item instanceof byte[] a && v instanceof byte[] b ? java.util.Arrays.equals(a, b) : Objects.equals(item, v);
    }

    /** Integral numbers as Long, float as Double: what {@link #get} returns for them. */
    private static Object normalize(Object value) {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        return value;
    }

    private static int encodedLength(Object value) {
        if (value instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8).length;
        }
        if (value instanceof byte[] b) {
            return b.length;
        }
        return 8;
    }

    private Cells.Writer encoder(Object value) {
        Object v = normalize(value);
        int capacity = itemCapacity();
        if (v == null) {
            return (b, at) -> b.putInt(at, NONE).putInt(at + 4, 0);
        }
        if (v instanceof Boolean flag) {
            return (b, at) -> b.putInt(at, BOOLEAN).putInt(at + 4, 1).put(at + ITEM_HEADER, (byte) (flag ? 1 : 0));
        }
        if (v instanceof Long l) {
            return (b, at) -> b.putInt(at, LONG).putInt(at + 4, 8).putLong(at + ITEM_HEADER, l);
        }
        if (v instanceof Double d) {
            return (b, at) -> b.putInt(at, DOUBLE).putInt(at + 4, 8).putDouble(at + ITEM_HEADER, d);
        }
        byte[] bytes;
        int tag;
        if (v instanceof String s) {
            bytes = s.getBytes(StandardCharsets.UTF_8);
            tag = STRING;
        } else if (v instanceof byte[] raw) {
            bytes = raw.clone();
            tag = BYTES;
        } else {
            throw new IllegalArgumentException("a ShareableList holds null, Boolean, integral numbers, Float, Double,"
                    + " String or byte[], not " + v.getClass().getName());
        }
        if (bytes.length > capacity) {
            throw new IllegalArgumentException((tag == STRING ? "text" : "bytes") + " of " + bytes.length
                    + " bytes exceeds the list's item capacity of " + capacity + " bytes (set at creation)");
        }
        return (b, at) -> b.putInt(at, tag).putInt(at + 4, bytes.length).put(at + ITEM_HEADER, bytes);
    }

    private Object decode(ByteBuffer b, int at) {
        int tag = b.getInt(at);
        int length = b.getInt(at + 4);
        switch (tag) {
            case NONE:
                return null;
            case BOOLEAN:
                return b.get(at + ITEM_HEADER) != 0;
            case LONG:
                return b.getLong(at + ITEM_HEADER);
            case DOUBLE:
                return b.getDouble(at + ITEM_HEADER);
            case STRING:
            case BYTES: {
                if (length < 0 || length > itemCapacity()) { // torn (then retried) or corrupt
                    throw new SegmentFormatException("ShareableList item of " + length + " bytes in '" + name()
                            + "', whose capacity is " + itemCapacity());
                }
                byte[] bytes = new byte[length];
                b.get(at + ITEM_HEADER, bytes);
                return tag == STRING ? new String(bytes, StandardCharsets.UTF_8) : bytes;
            }
            default:
                throw new SegmentFormatException("ShareableList item with unknown type tag " + tag);
        }
    }

    @Override
    public boolean isClosed() {
        return cells.isClosed();
    }

    @Override
    public void close() {
        cells.close();
    }

    @Override
    public Portable portable() {
        return cells.handle(Handle.Kind.SHAREABLE_LIST);
    }

    @Serial
    private Object writeReplace() {
        return portable();
    }

    /** Identity, like the other handles: two lists are equal when they are the same segment. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ShareableList other && other.cells.segment.file.equals(cells.segment.file);
    }

    @Override
    public int hashCode() {
        return cells.segment.file.hashCode();
    }

    @Override
    public String toString() {
        if (isClosed()) {
            return "ShareableList[" + cells.describe() + "]";
        }
        return "ShareableList" + super.toString() + "[" + cells.describe() + "]";
    }
}
