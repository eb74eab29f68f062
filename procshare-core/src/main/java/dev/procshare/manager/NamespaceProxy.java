package dev.procshare.manager;

import dev.procshare.process.SerializableFunction;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

final class NamespaceProxy extends RemoteObject implements Namespace {
    private static final long serialVersionUID = 1L;

    NamespaceProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        super(client, ref, fresh);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(String name) {
        return (T) call("get", name);
    }

    @Override
    public void set(String name, Object value) {
        call("set", java.util.Objects.requireNonNull(name, "name"), value);
    }

    @Override
    public boolean delete(String name) {
        return (Boolean) call("delete", name);
    }

    @Override
    public boolean contains(String name) {
        return (Boolean) call("contains", name);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Set<String> keys() {
        return Collections.unmodifiableSet(new LinkedHashSet<>((List<String>) call("keys")));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T update(String name, SerializableFunction<T, T> fn) {
        return (T) call("update", java.util.Objects.requireNonNull(name, "name"), fn);
    }

    @Override
    public boolean compareAndSet(String name, Object expect, Object update) {
        return (Boolean) call("compareAndSet", name, expect, update);
    }

    @Override
    public String toString() {
        return "Namespace" + call("snapshot");
    }
}
