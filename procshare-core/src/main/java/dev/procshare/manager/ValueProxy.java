package dev.procshare.manager;

import dev.procshare.process.SerializableFunction;

final class ValueProxy<T> extends RemoteObject implements ManagedValue<T> {
    private static final long serialVersionUID = 1L;

    ValueProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        super(client, ref, fresh);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get() {
        return (T) call("get");
    }

    @Override
    public void set(T value) {
        call("set", value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T getAndSet(T value) {
        return (T) call("getAndSet", value);
    }

    @Override
    public boolean compareAndSet(T expect, T update) {
        return (Boolean) call("compareAndSet", expect, update);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T update(SerializableFunction<T, T> fn) {
        return (T) call("update", fn);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T getAndUpdate(SerializableFunction<T, T> fn) {
        return (T) call("getAndUpdate", fn);
    }

    @Override
    public String toString() {
        return "ManagedValue[" + get() + "]";
    }
}
