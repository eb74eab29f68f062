package dev.procshare.redis;

import dev.procshare.manager.ManagedDoubleArray;
import dev.procshare.manager.ManagedIntArray;
import dev.procshare.manager.ManagedLongArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.redisson.api.RScript;

/**
 * The manager arrays in Redis: one hash per array, a field per element ({@code "0"}, {@code "1"}, ...; a
 * missing field is 0). Longs and ints are decimal text, added by {@code HINCRBY}; doubles are their 8 IEEE
 * bytes, added in the script with Lua's own doubles, so that a sum is bit for bit Java's. The length is
 * fixed and travels with the proxy. Bulk writes are one {@code HSET}, atomic.
 */
final class RedisArrays {
    private RedisArrays() {
    }

    static int checkLength(int length) {
        if (length < 0) {
            throw new NegativeArraySizeException("array length " + length);
        }
        return length;
    }

    // loops, not unpack(): Lua's unpack stops at about 8000 values
    private static final String READ = "local out = {} for i = tonumber(ARGV[1]), tonumber(ARGV[2]) - 1 do "
            + "out[#out + 1] = redis.call('HGET', KEYS[1], tostring(i)) end return out";
    private static final String WRITE = "for i = 2, #ARGV do redis.call('HSET', KEYS[1], tostring(tonumber(ARGV[1]) + i - 2), "
            + "ARGV[i]) end return #ARGV - 1";

    /** The state every kind shares: length, bounds, field names, reading a range. */
    abstract static class Base extends RedisObject {
        private static final long serialVersionUID = 1L;

        final transient int length;

        Base(RedisLink link, RedisRef ref) {
            super(link, ref);
            this.length = Integer.parseInt(ref.extra());
        }

        final byte[] field(int index) {
            if (index < 0 || index >= length) {
                throw new ArrayIndexOutOfBoundsException("Index " + index + " out of bounds for length " + length);
            }
            return RedisLink.utf8(Integer.toString(index));
        }

        final void checkRange(int from, int to) {
            if (from < 0 || to > length || from > to) {
                throw new ArrayIndexOutOfBoundsException("range [" + from + ", " + to + ") out of bounds for length "
                        + length);
            }
        }

        /** The raw fields {@code from..to-1}, null where never written. */
        final List<Object> read(int from, int to) {
            checkRange(from, to);
            if (from == to) {
                return List.of();
            }
            return link.evalList(READ, List.of(key), RedisLink.utf8(Integer.toString(from)),
                    RedisLink.utf8(Integer.toString(to)));
        }

        /** Writes the encoded {@code values} at {@code index..}, in one command. */
        final void write(int index, List<byte[]> values) {
            checkRange(index, index + values.size());
            if (values.isEmpty()) {
                return;
            }
            List<Object> args = new ArrayList<>(values.size() + 1);
            args.add(RedisLink.utf8(Integer.toString(index)));
            args.addAll(values);
            link.eval(WRITE, RScript.ReturnType.LONG, key, args.toArray());
        }

        @Override
        public final int hashCode() {
            return super.hashCode();
        }

        @Override
        public final boolean equals(Object o) {
            return super.equals(o);
        }
    }

    static long parseLong(Object b) {
        return b == null ? 0 : Long.parseLong(RedisLink.text(b));
    }

    static final class Longs extends Base implements ManagedLongArray {
        private static final long serialVersionUID = 1L;

        Longs(RedisLink link, RedisRef ref) {
            super(link, ref);
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public long get(int index) {
            return parseLong(link.eval("return redis.call('HGET', KEYS[1], ARGV[1])", RScript.ReturnType.VALUE, key,
                    field(index)));
        }

        @Override
        public void set(int index, long value) {
            write(index, List.of(RedisLink.utf8(Long.toString(value))));
        }

        @Override
        public long addAndGet(int index, long delta) {
            try {
                // HINCRBY adds in 64 bits; its reply would reach us through a Lua double, so read the text back
                return parseLong(link.eval("redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2]) "
                        + "return redis.call('HGET', KEYS[1], ARGV[1])", RScript.ReturnType.VALUE, key, field(index),
                        RedisLink.utf8(Long.toString(delta))));
            } catch (dev.procshare.manager.ManagerException e) {
                if (String.valueOf(e.getMessage()).contains("overflow")) {
                    throw new ArithmeticException("long overflow adding " + delta + " to element " + index
                            + " (Redis refuses to wrap around)");
                }
                throw e;
            }
        }

        @Override
        public long[] toArray() {
            return toArray(0, length);
        }

        @Override
        public long[] toArray(int from, int to) {
            List<Object> raw = read(from, to);
            long[] out = new long[raw.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = parseLong(raw.get(i));
            }
            return out;
        }

        @Override
        public void copyFrom(int index, long[] values) {
            List<byte[]> encoded = new ArrayList<>(values.length);
            for (long v : values) {
                encoded.add(RedisLink.utf8(Long.toString(v)));
            }
            write(index, encoded);
        }

        @Override
        public String toString() {
            return java.util.Arrays.toString(toArray());
        }
    }

    static final class Ints extends Base implements ManagedIntArray {
        private static final long serialVersionUID = 1L;

        // int arithmetic wraps as in Java: Lua's doubles hold the sum of two ints exactly
        private static final String ADD = "local v = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') "
                + "+ tonumber(ARGV[2]) if v > 2147483647 then v = v - 4294967296 "
                + "elseif v < -2147483648 then v = v + 4294967296 end "
                + "local s = string.format('%d', v) redis.call('HSET', KEYS[1], ARGV[1], s) return v";

        Ints(RedisLink link, RedisRef ref) {
            super(link, ref);
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public int get(int index) {
            return (int) parseLong(link.eval("return redis.call('HGET', KEYS[1], ARGV[1])", RScript.ReturnType.VALUE,
                    key, field(index)));
        }

        @Override
        public void set(int index, int value) {
            write(index, List.of(RedisLink.utf8(Integer.toString(value))));
        }

        @Override
        public int addAndGet(int index, int delta) {
            return (int) link.evalLong(ADD, List.of(key), field(index), RedisLink.utf8(Integer.toString(delta)));
        }

        @Override
        public int[] toArray() {
            return toArray(0, length);
        }

        @Override
        public int[] toArray(int from, int to) {
            List<Object> raw = read(from, to);
            int[] out = new int[raw.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (int) parseLong(raw.get(i));
            }
            return out;
        }

        @Override
        public void copyFrom(int index, int[] values) {
            List<byte[]> encoded = new ArrayList<>(values.length);
            for (int v : values) {
                encoded.add(RedisLink.utf8(Integer.toString(v)));
            }
            write(index, encoded);
        }

        @Override
        public String toString() {
            return java.util.Arrays.toString(toArray());
        }
    }

    static final class Doubles extends Base implements ManagedDoubleArray {
        private static final long serialVersionUID = 1L;

        private static final String ADD = "local c = redis.call('HGET', KEYS[1], ARGV[1]) "
                + "local v = 0 if c then v = struct.unpack('<d', c) end "
                + "local s = struct.pack('<d', v + struct.unpack('<d', ARGV[2])) "
                + "redis.call('HSET', KEYS[1], ARGV[1], s) return s";

        Doubles(RedisLink link, RedisRef ref) {
            super(link, ref);
        }

        static byte[] bytes(double v) {
            return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(v).array();
        }

        static double value(Object b) {
            return b == null ? 0.0 : ByteBuffer.wrap((byte[]) b).order(ByteOrder.LITTLE_ENDIAN).getDouble();
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public double get(int index) {
            return value(link.eval("return redis.call('HGET', KEYS[1], ARGV[1])", RScript.ReturnType.VALUE, key,
                    field(index)));
        }

        @Override
        public void set(int index, double value) {
            write(index, List.of(bytes(value)));
        }

        @Override
        public double addAndGet(int index, double delta) {
            return value(link.eval(ADD, RScript.ReturnType.VALUE, key, field(index), bytes(delta)));
        }

        @Override
        public double[] toArray() {
            return toArray(0, length);
        }

        @Override
        public double[] toArray(int from, int to) {
            List<Object> raw = read(from, to);
            double[] out = new double[raw.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = value(raw.get(i));
            }
            return out;
        }

        @Override
        public void copyFrom(int index, double[] values) {
            List<byte[]> encoded = new ArrayList<>(values.length);
            for (double v : values) {
                encoded.add(bytes(v));
            }
            write(index, encoded);
        }

        @Override
        public String toString() {
            return java.util.Arrays.toString(toArray());
        }
    }
}
