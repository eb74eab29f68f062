package dev.procshare.redis;

import dev.procshare.codec.Portable;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a Redis-backed proxy is in another process: the manager's address, the object's kind and id, and what
 * its kind needs besides (a queue's capacity, an array's length, a condition's lock, a hosted object's type).
 * No state travels: the receiving process attaches to the same keys, with the key it inherited for the
 * address. Written by {@code FastCodec} as plain values, or by Java serialization.
 */
record RedisRef(String address, String kind, String id, String extra) implements Serializable, Portable {
    private static final long serialVersionUID = 1L;

    static {
        Portable.register(RedisRef.class, new Portable.Factory() {
            @Override
            public Object rebuild(List<?> values) throws InvalidObjectException {
                if (values.size() != 4 || !(values.get(0) instanceof String address)
                        || !(values.get(1) instanceof String kind) || !(values.get(2) instanceof String id)
                        || !(values.get(3) == null || values.get(3) instanceof String)) {
                    throw new InvalidObjectException("not a Redis manager proxy's descriptor: " + values);
                }
                return new RedisRef(address, kind, id, (String) values.get(3)).attach();
            }
        });
    }

    /** The proxy this names, attached in this process (connecting with the inherited key if need be). */
    Object attach() {
        return RedisObjects.make(RedisBackend.linkFor(address), this);
    }

    Object readResolve() throws ObjectStreamException {
        return attach();
    }

    @Override
    public List<Object> portableValues() {
        return new ArrayList<>(Arrays.asList(address, kind, id, extra));
    }
}
