package dev.procshare.redis;

import dev.procshare.codec.Portable;
import java.io.ObjectStreamException;
import java.io.Serializable;

/**
 * The base of the Redis-backed proxies: which keys of which Redis. Every key of one object shares one hash
 * tag, {@code ps:{MANAGER/ID}}, so that each operation is one script on one Redis Cluster slot, atomic.
 * Serializing a proxy writes its {@link RedisRef} only.
 */
abstract class RedisObject implements Serializable, Portable.Replaced {
    private static final long serialVersionUID = 1L;

    final transient RedisLink link;
    final transient RedisRef ref;
    /** The object's main key; its other keys start with it. */
    final transient String key;

    RedisObject(RedisLink link, RedisRef ref) {
        this.link = link;
        this.ref = ref;
        this.key = key(link.address.manager(), ref.id());
    }

    static String key(String manager, String id) {
        return "ps:{" + manager + "/" + id + "}";
    }

    /** The channel wake-ups for this object go to (an argument of the scripts that free waiters). */
    final byte[] channel() {
        return RedisLink.utf8(RedisLink.channel(link.address.manager()));
    }

    @Override
    public final Portable portable() {
        return ref;
    }

    final Object writeReplace() throws ObjectStreamException {
        return ref;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RedisObject r && r.ref.id().equals(ref.id()) && r.ref.address().equals(ref.address());
    }

    @Override
    public int hashCode() {
        return ref.id().hashCode();
    }

    /** The kind and id, without a call to Redis. */
    String describe() {
        return ref.kind() + "#" + ref.id() + "@" + ref.address();
    }

    @Override
    public String toString() {
        return describe();
    }
}
