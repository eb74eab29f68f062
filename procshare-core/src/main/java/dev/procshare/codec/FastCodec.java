package dev.procshare.codec;

import java.io.IOException;
import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compact binary codec for the values processes exchange most: {@code null}, primitives' boxes,
 * {@code String}, {@code byte[]}/{@code int[]}/{@code long[]}/{@code double[]}, and {@code ArrayList},
 * {@code HashMap}, {@code LinkedHashMap} of those (a list of only {@code Integer}s, {@code Long}s or
 * {@code Double}s is written as a packed array), and procshare's handles as their {@link Portable}
 * descriptors. Anything else is written with Java serialization inside the stream. Decoding gives back the
 * same classes (a handle attaches in the decoding JVM). Thread-safe and stateless.
 *
 * <p>Why: Java serialization spends 100-200 ns on each boxed number in a list; this spends a few, which is
 * what makes {@code ProcessPool.map} over millions of small items fast.
 */
public final class FastCodec implements Codec {
    /** The shared instance; other values go through {@link JavaCodec#INSTANCE}. */
    public static final FastCodec INSTANCE = new FastCodec(JavaCodec.INSTANCE);

    private static final byte MAGIC = (byte) 0xB7;
    private static final int MAX_DEPTH = 64;

    private static final byte NULL = 0, TRUE = 1, FALSE = 2, BYTE = 3, SHORT = 4, CHAR = 5, INT_V = 6, LONG_V = 7,
            FLOAT = 8, DOUBLE = 9, STRING = 10, BYTES = 11, INTS = 12, LONGS = 13, DOUBLES = 14, LIST = 15,
            HASH_MAP = 16, LINKED_MAP = 17, INT_LIST = 18, LONG_LIST = 19, DOUBLE_LIST = 20, JAVA = 21,
            CHARS = 22, PORTABLE = 23;

    /** {@link Portable} classes and their factories, as each class's static initializer registered them. */
    static final Map<Class<?>, Portable.Factory> PORTABLE_FACTORIES = new java.util.concurrent.ConcurrentHashMap<>();

    /** Encodes and decodes the values outside the fast path. */
    private final Codec fallback;

    private FastCodec(Codec fallback) {
        this.fallback = fallback;
    }

    /**
     * A codec whose values outside the fast path go through {@code fallback}, for example
     * {@code JavaCodec.restricted(allowList)}.
     */
    public static FastCodec withFallback(Codec fallback) {
        return new FastCodec(fallback);
    }

    @Override
    public byte[] encode(Object value) throws IOException {
        Writer w = new Writer();
        w.u8(MAGIC);
        write(w, value, 0);
        return w.toArray();
    }

    /**
     * Encodes {@code list.subList(from, to)} exactly as an {@code ArrayList} of those elements would be, without
     * copying it first: it decodes as an {@code ArrayList}.
     */
    public byte[] encodeRange(List<?> list, int from, int to) throws IOException {
        Writer w = new Writer();
        w.u8(MAGIC);
        writeList(w, list.subList(from, to), 0);
        return w.toArray();
    }

    @Override
    public Object decode(byte[] bytes) throws IOException, ClassNotFoundException {
        if (bytes.length == 0 || bytes[0] != MAGIC) {
            throw new StreamCorruptedException("not a FastCodec stream (bad first byte)");
        }
        Reader r = new Reader(bytes, 1);
        Object value = read(r, 0);
        if (r.pos != bytes.length) {
            throw new StreamCorruptedException((bytes.length - r.pos) + " bytes left after the value");
        }
        return value;
    }

    private void write(Writer w, Object v, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("value nested deeper than " + MAX_DEPTH + " levels");
        }
        if (v == null) {
            w.u8(NULL);
        } else if (v instanceof Integer i) {
            w.u8(INT_V);
            w.i32(i);
        } else if (v instanceof Long l) {
            w.u8(LONG_V);
            w.i64(l);
        } else if (v instanceof String s) {
            if (wellFormed(s)) {
                w.u8(STRING);
                w.bytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                // UTF-8 would turn a lone surrogate into '?': such a string travels as its UTF-16 chars.
                w.u8(CHARS);
                w.i32(s.length());
                w.view(s.length(), 2).asCharBuffer().put(s);
            }
        } else if (v instanceof Double d) {
            w.u8(DOUBLE);
            w.i64(Double.doubleToRawLongBits(d));
        } else if (v instanceof Boolean b) {
            w.u8(b ? TRUE : FALSE);
        } else if (v.getClass() == ArrayList.class || v instanceof EncodesAsArrayList && v instanceof List<?>) {
            writeList(w, (List<?>) v, depth);
        } else if (v.getClass() == HashMap.class || v.getClass() == LinkedHashMap.class) {
            Map<?, ?> map = (Map<?, ?>) v;
            w.u8(v.getClass() == HashMap.class ? HASH_MAP : LINKED_MAP);
            w.i32(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                write(w, e.getKey(), depth + 1);
                write(w, e.getValue(), depth + 1);
            }
        } else if (v instanceof byte[] b) {
            w.u8(BYTES);
            w.bytes(b);
        } else if (v instanceof int[] a) {
            w.u8(INTS);
            w.i32(a.length);
            w.view(a.length, 4).asIntBuffer().put(a);
        } else if (v instanceof long[] a) {
            w.u8(LONGS);
            w.i32(a.length);
            w.view(a.length, 8).asLongBuffer().put(a);
        } else if (v instanceof double[] a) {
            w.u8(DOUBLES);
            w.i32(a.length);
            w.view(a.length, 8).asDoubleBuffer().put(a); // raw bits, big-endian: what i64 would write
        } else if (v instanceof Float f) {
            w.u8(FLOAT);
            w.i32(Float.floatToRawIntBits(f));
        } else if (v instanceof Short s) {
            w.u8(SHORT);
            w.i32(s);
        } else if (v instanceof Byte b) {
            w.u8(BYTE);
            w.u8(b);
        } else if (v instanceof Character c) {
            w.u8(CHAR);
            w.i32(c);
        } else if (v instanceof Portable || v instanceof Portable.Replaced) {
            Portable p = v instanceof Portable direct ? direct : ((Portable.Replaced) v).portable();
            w.u8(PORTABLE);
            w.bytes(p.getClass().getName().getBytes(StandardCharsets.UTF_8));
            writeList(w, p.portableValues(), depth);
        } else {
            w.u8(JAVA);
            w.bytes(fallback.encode(v));
        }
    }

    private void writeList(Writer w, List<?> list, int depth) throws IOException {
        int n = list.size();
        Class<?> common = n == 0 ? null : elementClass(list);
        if (common == Integer.class) {
            w.u8(INT_LIST);
            w.i32(n);
            for (Object o : list) {
                w.i32((Integer) o);
            }
        } else if (common == Long.class) {
            w.u8(LONG_LIST);
            w.i32(n);
            for (Object o : list) {
                w.i64((Long) o);
            }
        } else if (common == Double.class) {
            w.u8(DOUBLE_LIST);
            w.i32(n);
            for (Object o : list) {
                w.i64(Double.doubleToRawLongBits((Double) o));
            }
        } else {
            w.u8(LIST);
            w.i32(n);
            for (Object o : list) {
                write(w, o, depth + 1);
            }
        }
    }

    /** Whether every surrogate in {@code s} is part of a pair, so that UTF-8 keeps it exactly. */
    private static boolean wellFormed(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            }
        }
        return true;
    }

    /** The class shared by every element, or null if they differ or one is null. */
    private static Class<?> elementClass(List<?> list) {
        Object first = list.get(0);
        if (first == null) {
            return null;
        }
        Class<?> c = first.getClass();
        for (Object o : list) {
            if (o == null || o.getClass() != c) {
                return null;
            }
        }
        return c;
    }

    private Object read(Reader r, int depth) throws IOException, ClassNotFoundException {
        if (depth > MAX_DEPTH) {
            throw new StreamCorruptedException("value nested deeper than " + MAX_DEPTH + " levels");
        }
        byte tag = r.u8();
        switch (tag) {
            case NULL:
                return null;
            case TRUE:
                return Boolean.TRUE;
            case FALSE:
                return Boolean.FALSE;
            case BYTE:
                return r.u8();
            case SHORT:
                return (short) r.i32();
            case CHAR:
                return (char) r.i32();
            case INT_V:
                return r.i32();
            case LONG_V:
                return r.i64();
            case FLOAT:
                return Float.intBitsToFloat(r.i32());
            case DOUBLE:
                return Double.longBitsToDouble(r.i64());
            case STRING:
                return new String(r.bytes(), StandardCharsets.UTF_8);
            case CHARS: {
                char[] chars = new char[r.count(2)];
                r.view(chars.length, 2).asCharBuffer().get(chars);
                return new String(chars);
            }
            case BYTES:
                return r.bytes();
            case INTS: {
                int[] a = new int[r.count(4)];
                r.view(a.length, 4).asIntBuffer().get(a);
                return a;
            }
            case LONGS: {
                long[] a = new long[r.count(8)];
                r.view(a.length, 8).asLongBuffer().get(a);
                return a;
            }
            case DOUBLES: {
                double[] a = new double[r.count(8)];
                r.view(a.length, 8).asDoubleBuffer().get(a);
                return a;
            }
            case INT_LIST: {
                int n = r.count(4);
                ArrayList<Object> list = new ArrayList<>(Math.min(n, 4096));
                for (int i = 0; i < n; i++) {
                    list.add(r.i32());
                }
                return list;
            }
            case LONG_LIST: {
                int n = r.count(8);
                ArrayList<Object> list = new ArrayList<>(Math.min(n, 4096));
                for (int i = 0; i < n; i++) {
                    list.add(r.i64());
                }
                return list;
            }
            case DOUBLE_LIST: {
                int n = r.count(8);
                ArrayList<Object> list = new ArrayList<>(Math.min(n, 4096));
                for (int i = 0; i < n; i++) {
                    list.add(Double.longBitsToDouble(r.i64()));
                }
                return list;
            }
            case LIST: {
                int n = r.count(1);
                ArrayList<Object> list = new ArrayList<>(Math.min(n, 4096));
                for (int i = 0; i < n; i++) {
                    list.add(read(r, depth + 1));
                }
                return list;
            }
            case HASH_MAP:
            case LINKED_MAP: {
                int n = r.count(2);
                Map<Object, Object> map = tag == HASH_MAP ? new HashMap<>() : new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    map.put(read(r, depth + 1), read(r, depth + 1));
                }
                return map;
            }
            case JAVA:
                return fallback.decode(r.bytes());
            case PORTABLE: {
                String name = new String(r.bytes(), StandardCharsets.UTF_8);
                Portable.Factory factory = portableFactory(name);
                Object values = read(r, depth + 1);
                if (!(values instanceof List<?> list)) {
                    throw new StreamCorruptedException("the values of a " + name + " are not a list");
                }
                return factory.rebuild(list);
            }
            default:
                throw new StreamCorruptedException("unknown tag " + tag + " at byte " + (r.pos - 1));
        }
    }

    /**
     * The factory of the {@link Portable} class {@code name}. The class is loaded without being initialized
     * and checked first (the allow-list, then that it is {@code Portable}): only then does its static
     * initializer run, and register the factory.
     */
    private Portable.Factory portableFactory(String name) throws IOException, ClassNotFoundException {
        if (fallback instanceof JavaCodec java && !java.allowsName(name)) {
            throw new ClassNotAllowedException(name);
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> type = Class.forName(name, false, loader != null ? loader : FastCodec.class.getClassLoader());
        if (!Portable.class.isAssignableFrom(type)) {
            throw new java.io.InvalidClassException(name, "not a Portable class, so not rebuilt from a FastCodec stream");
        }
        Portable.Factory factory = PORTABLE_FACTORIES.get(type);
        if (factory == null) {
            Class.forName(name, true, type.getClassLoader()); // its static initializer registers the factory
            factory = PORTABLE_FACTORIES.get(type);
        }
        if (factory == null) {
            throw new java.io.InvalidClassException(name, "a Portable class that registered no factory");
        }
        return factory;
    }

    /**
     * A growable byte array with big-endian writes. Numbers go through a {@code ByteBuffer} over the array,
     * not a byte-array view {@code VarHandle}: as fast once compiled, but a fresh JVM's first view handle
     * costs 6-7 ms of method-handle set-up (JDK 17; 2 ms on 25), which every child and manager JVM paid
     * on its way to its first message.
     */
    private static final class Writer {
        private byte[] buf = new byte[256];
        private ByteBuffer numbers = ByteBuffer.wrap(buf);
        private int pos;

        private void ensure(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
                numbers = ByteBuffer.wrap(buf);
            }
        }

        void u8(int v) {
            ensure(1);
            buf[pos++] = (byte) v;
        }

        void i32(int v) {
            ensure(4);
            numbers.putInt(pos, v);
            pos += 4;
        }

        void i64(long v) {
            ensure(8);
            numbers.putLong(pos, v);
            pos += 8;
        }

        void bytes(byte[] b) {
            i32(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }

        /**
         * The next {@code n * size} bytes as a big-endian buffer, for bulk copies of primitive arrays (one
         * intrinsic copy instead of a loop, which also matters before the JIT has compiled anything).
         */
        ByteBuffer view(int n, int size) throws IOException {
            long bytes = (long) n * size;
            if (bytes > Integer.MAX_VALUE - 16 - pos) {
                throw new IOException("an array of " + n + " elements does not fit in one encoded value");
            }
            ensure((int) bytes);
            ByteBuffer b = ByteBuffer.wrap(buf, pos, (int) bytes).slice();
            pos += (int) bytes;
            return b;
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, pos);
        }
    }

    /** Bounds-checked big-endian reads: a truncated or lying stream fails with a clear exception. */
    private static final class Reader {
        private final byte[] buf;
        private final ByteBuffer numbers; // see Writer
        private int pos;

        Reader(byte[] buf, int pos) {
            this.buf = buf;
            this.numbers = ByteBuffer.wrap(buf);
            this.pos = pos;
        }

        private void need(long n) throws StreamCorruptedException {
            if (n < 0 || pos + n > buf.length) {
                throw new StreamCorruptedException("truncated value: needs " + n + " bytes at byte " + pos
                        + " of " + buf.length);
            }
        }

        byte u8() throws StreamCorruptedException {
            need(1);
            return buf[pos++];
        }

        int i32() throws StreamCorruptedException {
            need(4);
            int v = numbers.getInt(pos);
            pos += 4;
            return v;
        }

        long i64() throws StreamCorruptedException {
            need(8);
            long v = numbers.getLong(pos);
            pos += 8;
            return v;
        }

        /** An element count, checked against the bytes left (each element takes at least {@code size}). */
        int count(int size) throws StreamCorruptedException {
            int n = i32();
            if (n < 0) {
                throw new StreamCorruptedException("negative count " + n + " at byte " + (pos - 4));
            }
            need((long) n * size);
            return n;
        }

        /** The next {@code n * size} bytes (already checked by {@link #count}) as a big-endian buffer. */
        ByteBuffer view(int n, int size) {
            int bytes = n * size;
            ByteBuffer b = ByteBuffer.wrap(buf, pos, bytes).slice();
            pos += bytes;
            return b;
        }

        byte[] bytes() throws StreamCorruptedException {
            int n = count(1);
            byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return b;
        }
    }
}
