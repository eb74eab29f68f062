package dev.procshare.redis;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Read-modify-write of one Redis cell (a hash field, or a plain key when the field is null) by optimistic
 * compare-and-set: read the bytes, compute the new value here, write it only if the bytes are still those
 * read, else read again. One script is the commit, so the write is atomic against every process; the
 * function may run more than once under contention.
 */
final class Cas {
    /** The cell's bytes are nil (absent) or a value. */
    static final byte[] ABSENT = new byte[0];

    // KEYS[1] hash; ARGV: field, expected ('' = absent), op ('s' set, 'd' delete), new bytes
    private static final String HASH = """
            local c = redis.call('HGET', KEYS[1], ARGV[1])
            if c == false then c = '' end
            if c ~= ARGV[2] then return 0 end
            if ARGV[3] == 'd' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[4]) end
            return 1""";
    // KEYS[1] key; ARGV: expected ('' = absent), op, new bytes
    private static final String PLAIN = """
            local c = redis.call('GET', KEYS[1])
            if c == false then c = '' end
            if c ~= ARGV[1] then return 0 end
            if ARGV[2] == 'd' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[3]) end
            return 1""";
    private static final String HGET = "return redis.call('HGET', KEYS[1], ARGV[1])";
    private static final String GET = "return redis.call('GET', KEYS[1])";

    private Cas() {
    }

    /** The cell's bytes, {@link #ABSENT} if it has none. Encoded values are never empty. */
    static byte[] read(RedisLink link, String key, byte[] field) {
        Object r = field == null
                ? link.eval(GET, org.redisson.api.RScript.ReturnType.VALUE, key)
                : link.eval(HGET, org.redisson.api.RScript.ReturnType.VALUE, key, field);
        return r == null ? ABSENT : (byte[]) r;
    }

    /** Writes {@code update} (null: delete the cell) if the cell still holds {@code expected}. */
    static boolean write(RedisLink link, String key, byte[] field, byte[] expected, byte[] update) {
        byte[] op = RedisLink.utf8(update == null ? "d" : "s");
        byte[] value = update == null ? ABSENT : update;
        return field == null
                ? link.evalLong(PLAIN, List.of(key), expected, op, value) == 1
                : link.evalLong(HASH, List.of(key), field, expected, op, value) == 1;
    }

    /** What {@link #apply} returns: the value before and after (both null where the cell had none). */
    record Outcome<T>(T before, T after) {
    }

    /**
     * Replaces the cell's value {@code v} with {@code fn(v)} (v null if absent); a null result deletes the
     * cell when {@code nullDeletes}, else is stored as null. Atomic; returns both values.
     */
    static <T> Outcome<T> apply(RedisLink link, String key, byte[] field, Function<T, T> fn, boolean nullDeletes) {
        while (true) {
            byte[] current = read(link, key, field);
            T before = current == ABSENT ? null : link.decode(current);
            T after = fn.apply(before);
            byte[] update = after == null && nullDeletes ? null : link.encode(after);
            if (update != null && java.util.Arrays.equals(update, current)) {
                return new Outcome<>(before, after); // nothing to change: no write, as a map does
            }
            if (update == null && current == ABSENT) {
                return new Outcome<>(null, null);
            }
            if (write(link, key, field, current, update)) {
                return new Outcome<>(before, after);
            }
        }
    }

    /** Sets the cell to {@code update} if its value equals {@code expect} (null: absent or null); atomic. */
    static boolean compareAndSet(RedisLink link, String key, byte[] field, Object expect, byte[] update) {
        while (true) {
            byte[] current = read(link, key, field);
            Object value = current == ABSENT ? null : link.decode(current);
            if (!Objects.equals(value, expect)) {
                return false;
            }
            if (write(link, key, field, current, update)) {
                return true;
            }
        }
    }

    /** {@code fn} itself if it can be sent to a server: the same rule as the socket manager's, for portable code. */
    static <F> F serializable(F fn, String what) {
        if (!(fn instanceof Serializable)) {
            throw new IllegalArgumentException(what + " must be serializable, as on every manager backend: pass a"
                    + " lambda where a SerializableFunction/SerializableBiFunction is expected (the manager's own"
                    + " overloads take them), or cast it to one");
        }
        return Objects.requireNonNull(fn);
    }
}
