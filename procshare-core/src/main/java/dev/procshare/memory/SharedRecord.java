package dev.procshare.memory;

import dev.procshare.codec.Portable;
import java.io.Serial;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A Java {@code record} of primitive fields kept in one shared-memory segment: several typed fields read and
 * written together, the way Python shares a {@code ctypes.Structure} through {@code Value(MyStruct)}.
 *
 * <pre>{@code
 * record Position(long id, double x, double y, boolean valid) {}
 * try (SharedRecord<Position> p = SharedRecord.create(Position.class, new Position(1, 0, 0, false))) {
 *     p.update(q -> new Position(q.id(), q.x() + 1, q.y(), true));   // atomic across processes
 *     Position now = p.get();                                         // all fields from one write
 * }
 * }</pre>
 *
 * <p>Components may be {@code boolean, byte, short, char, int, long, float, double}; each is stored in its
 * own aligned place in native order (the layout, with the field names, is recorded in the segment, so
 * another process, Python's included, can read it by name).
 *
 * <p><b>Memory semantics.</b> {@link #set} writes every field beside the current ones and publishes them with
 * one release store, so {@link #get} (lock-free) always returns all fields of one complete write, never a
 * mix. {@link #update}, {@link #getAndUpdate} and {@link #compareAndSet} are atomic across processes under a
 * writer lock in the segment.
 *
 * <p><b>If a process dies.</b> A writer killed during a write leaves the last complete record in place; the
 * next writer takes the writer lock over within milliseconds.
 *
 * <p><b>Across processes.</b> Serializable (and {@link Portable}) as the segment's name. The receiving JVM
 * loads the record class the segment names (no object is deserialized: the fields are primitives read from
 * memory) and checks that its components match the stored layout. {@link #open(String, Class)} attaches by
 * name and fails with {@link SegmentFormatException} if the segment holds another record type.
 */
public final class SharedRecord<T extends Record> implements SharedHandle {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Cells cells;
    private final transient Layout<T> layout;

    private SharedRecord(Cells cells, Layout<T> layout) {
        this.cells = cells;
        this.layout = layout;
    }

    /** A new record segment holding {@code initial}, owned by this process. */
    public static <T extends Record> SharedRecord<T> create(Class<T> type, T initial) {
        return create(null, type, initial);
    }

    /** A new record segment named {@code name} (null: a fresh unique name), owned by this process. */
    public static <T extends Record> SharedRecord<T> create(String name, Class<T> type, T initial) {
        Objects.requireNonNull(initial, "initial");
        Layout<T> layout = Layout.of(type);
        Cells cells = Cells.create(name, SegmentKind.RECORD, layout.descriptor, 1, layout.bytes);
        SharedRecord<T> record = new SharedRecord<>(cells, layout);
        record.set(initial);
        return record;
    }

    /** Attaches to the record segment another process created under {@code name}, holding a {@code type}. */
    public static <T extends Record> SharedRecord<T> open(String name, Class<T> type) {
        return open(Segments.defaultDirectory(), name, type);
    }

    static <T extends Record> SharedRecord<T> open(Path directory, String name, Class<T> type) {
        Layout<T> layout = Layout.of(type);
        Cells cells = Cells.open(directory, name, SegmentKind.RECORD);
        if (!cells.descriptor.equals(layout.descriptor) || cells.count != 1) {
            cells.close();
            throw new SegmentFormatException("segment '" + name + "' holds " + cells.descriptor + ", not "
                    + layout.descriptor);
        }
        return new SharedRecord<>(cells, layout);
    }

    /** Attaches by name to whatever record type the segment names (a handle arriving from another process). */
    static SharedRecord<?> attach(Path directory, String name) {
        Cells cells = Cells.open(directory, name, SegmentKind.RECORD);
        String className = Layout.className(cells.descriptor);
        cells.close();
        Class<?> type;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            type = Class.forName(className, false, loader != null ? loader : SharedRecord.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new SegmentFormatException("segment '" + name + "' holds a " + className
                    + ", which this JVM cannot load: " + e);
        }
        if (!type.isRecord()) {
            throw new SegmentFormatException("segment '" + name + "' names " + className + ", which is not a record");
        }
        return open(directory, name, type.asSubclass(Record.class));
    }

    /** The record class. */
    public Class<T> type() {
        return layout.type;
    }

    /** The segment name, for {@link #open(String, Class)} in another process. */
    public String name() {
        return cells.segment.name;
    }

    /** Every field as one complete write left them (lock-free). */
    public T get() {
        return cells.read(0, layout::decode);
    }

    /** Replaces every field at once; readers see the old record or this one, never a mix. */
    public void set(T value) {
        cells.write(0, encoder(value));
    }

    /** Applies {@code function} atomically across processes; returns the new record. Keep it short. */
    public T update(UnaryOperator<T> function) {
        return cells.locked(() -> {
            T next = function.apply(get());
            cells.writeHeld(0, encoder(Objects.requireNonNull(next, "the update returned null")));
            return next;
        });
    }

    /** Applies {@code function} atomically across processes; returns the previous record. */
    public T getAndUpdate(UnaryOperator<T> function) {
        return cells.locked(() -> {
            T previous = get();
            cells.writeHeld(0, encoder(Objects.requireNonNull(function.apply(previous), "the update returned null")));
            return previous;
        });
    }

    /** Sets {@code newValue} if the record {@code equals} {@code expected}, atomically across processes. */
    public boolean compareAndSet(T expected, T newValue) {
        Cells.Writer writer = encoder(newValue);
        return cells.locked(() -> {
            if (!get().equals(expected)) {
                return false;
            }
            cells.writeHeld(0, writer);
            return true;
        });
    }

    private Cells.Writer encoder(T value) {
        Objects.requireNonNull(value, "value");
        return (b, at) -> layout.encode(value, b, at);
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
        return cells.handle(Handle.Kind.RECORD);
    }

    @Serial
    private Object writeReplace() {
        return portable();
    }

    @Override
    public String toString() {
        return "SharedRecord[" + (isClosed() ? "" : get() + ", ") + cells.describe() + "]";
    }

    /** Where each component lives in an area, and the descriptor naming them. */
    static final class Layout<T extends Record> {
        final Class<T> type;
        final String descriptor;
        final int bytes;
        private final RecordComponent[] components;
        private final int[] offsets;
        private final Constructor<T> constructor;

        private Layout(Class<T> type) {
            this.type = type;
            this.components = type.getRecordComponents();
            this.offsets = new int[components.length];
            Class<?>[] types = new Class<?>[components.length];
            StringBuilder d = new StringBuilder("record=").append(type.getName()).append(";fields=");
            int at = 0;
            for (int i = 0; i < components.length; i++) {
                Class<?> t = components[i].getType();
                int size = sizeOf(t, type, components[i].getName());
                at = (at + size - 1) / size * size;
                offsets[i] = at;
                types[i] = t;
                d.append(i == 0 ? "" : ",").append(components[i].getName()).append(':').append(t.getName())
                        .append(':').append(at);
                at += size;
            }
            this.bytes = Math.max(8, at);
            this.descriptor = d.toString();
            try {
                this.constructor = type.getDeclaredConstructor(types);
                constructor.setAccessible(true);
                for (RecordComponent c : components) {
                    c.getAccessor().setAccessible(true);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException("cannot use the canonical constructor of " + type.getName()
                        + ": " + e, e);
            }
        }

        static <T extends Record> Layout<T> of(Class<T> type) {
            if (!type.isRecord()) {
                throw new IllegalArgumentException(type.getName() + " is not a record class");
            }
            return new Layout<>(type);
        }

        static String className(String descriptor) {
            int end = descriptor.indexOf(';');
            if (!descriptor.startsWith("record=") || end < 0) {
                throw new SegmentFormatException("not a record descriptor: " + descriptor);
            }
            return descriptor.substring("record=".length(), end);
        }

        private static int sizeOf(Class<?> t, Class<?> record, String name) {
            if (t == boolean.class || t == byte.class) {
                return 1;
            }
            if (t == short.class || t == char.class) {
                return 2;
            }
            if (t == int.class || t == float.class) {
                return 4;
            }
            if (t == long.class || t == double.class) {
                return 8;
            }
            throw new IllegalArgumentException("component '" + name + "' of " + record.getName() + " is a "
                    + t.getName() + ": a SharedRecord holds only primitive components");
        }

        void encode(T value, ByteBuffer b, int at) {
            try {
                for (int i = 0; i < components.length; i++) {
                    Object v = components[i].getAccessor().invoke(value);
                    int o = at + offsets[i];
                    Class<?> t = components[i].getType();
                    if (t == boolean.class) {
                        b.put(o, (byte) ((Boolean) v ? 1 : 0));
                    } else if (t == byte.class) {
                        b.put(o, (Byte) v);
                    } else if (t == short.class) {
                        b.putShort(o, (Short) v);
                    } else if (t == char.class) {
                        b.putChar(o, (Character) v);
                    } else if (t == int.class) {
                        b.putInt(o, (Integer) v);
                    } else if (t == float.class) {
                        b.putFloat(o, (Float) v);
                    } else if (t == long.class) {
                        b.putLong(o, (Long) v);
                    } else {
                        b.putDouble(o, (Double) v);
                    }
                }
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read the components of " + value, e);
            }
        }

        T decode(ByteBuffer b, int at) {
            Object[] args = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                int o = at + offsets[i];
                Class<?> t = components[i].getType();
                args[i] = t == boolean.class ? (Object) (b.get(o) != 0)
                        : t == byte.class ? (Object) b.get(o)
                        : t == short.class ? (Object) b.getShort(o)
                        : t == char.class ? (Object) b.getChar(o)
                        : t == int.class ? (Object) b.getInt(o)
                        : t == float.class ? (Object) b.getFloat(o)
                        : t == long.class ? (Object) b.getLong(o)
                        : (Object) b.getDouble(o);
            }
            try {
                return constructor.newInstance(args);
            } catch (InvocationTargetException e) { // the record's own checks refused a value
                throw new IllegalStateException("the constructor of " + type.getName() + " refused the stored"
                        + " fields", e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot construct " + type.getName(), e);
            }
        }
    }
}
