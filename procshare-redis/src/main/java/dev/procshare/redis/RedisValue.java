package dev.procshare.redis;

import dev.procshare.manager.ManagedValue;
import dev.procshare.process.SerializableFunction;
import org.redisson.api.RScript;

/** A {@link ManagedValue} in one Redis string key holding the encoded value. */
final class RedisValue<T> extends RedisObject implements ManagedValue<T> {
    private static final long serialVersionUID = 1L;

    RedisValue(RedisLink link, RedisRef ref) {
        super(link, ref);
    }

    @Override
    public T get() {
        byte[] b = Cas.read(link, key, null);
        return b == Cas.ABSENT ? null : link.decode(b);
    }

    @Override
    public void set(T value) {
        link.eval("return redis.call('SET', KEYS[1], ARGV[1])", RScript.ReturnType.STRING, key, link.encode(value));
    }

    @Override
    public T getAndSet(T value) {
        return link.decode(link.eval("return redis.call('SET', KEYS[1], ARGV[1], 'GET')", RScript.ReturnType.VALUE,
                key, link.encode(value)));
    }

    @Override
    public boolean compareAndSet(T expect, T update) {
        return Cas.compareAndSet(link, key, null, expect, link.encode(update));
    }

    @Override
    public T update(SerializableFunction<T, T> fn) {
        Cas.serializable(fn, "update's function");
        return Cas.apply(link, key, null, fn::apply, false).after();
    }

    @Override
    public T getAndUpdate(SerializableFunction<T, T> fn) {
        Cas.serializable(fn, "getAndUpdate's function");
        return Cas.apply(link, key, null, fn::apply, false).before();
    }

    @Override
    public String toString() {
        return "Value(" + get() + ")";
    }
}
