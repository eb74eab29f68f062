package dev.procshare.manager;

import dev.procshare.codec.Portable;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;

/**
 * A set held by a manager. Each method is one atomic round trip; iteration works on a snapshot and its
 * {@code remove} removes on the server. {@code equals} is identity of the remote set.
 */
final class SetProxy<E> extends AbstractSet<E> implements Serializable, Portable.Replaced {
    private static final long serialVersionUID = 1L;

    private final transient RemoteRef remote;

    SetProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        remote = new RemoteRef(client, ref, this, fresh);
    }

    private Object call(String op, Object... args) {
        return remote.call(op, args);
    }

    @Override
    public int size() {
        return (Integer) call("size");
    }

    @Override
    public boolean add(E e) {
        return (Boolean) call("add", e);
    }

    @Override
    public boolean remove(Object o) {
        return (Boolean) call("remove", o);
    }

    @Override
    public boolean contains(Object o) {
        return (Boolean) call("contains", o);
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        return (Boolean) call("addAll", new ArrayList<>(c));
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        return (Boolean) call("removeAll", new ArrayList<>(c));
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        return (Boolean) call("retainAll", new ArrayList<>(c));
    }

    @Override
    public void clear() {
        call("clear");
    }

    @SuppressWarnings("unchecked")
    private List<E> snapshot() {
        return (List<E>) call("snapshot");
    }

    @Override
    public Iterator<E> iterator() {
        return RemoteRef.removingIterator(snapshot().iterator(), this::remove);
    }

    @Override
    public Object[] toArray() {
        return snapshot().toArray();
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return snapshot().toArray(a);
    }

    /** The descriptor that travels instead of this proxy (see {@link RemoteObject}). */
    @Override
    public Portable portable() {
        return remote.descriptor();
    }

    Object writeReplace() throws ObjectStreamException {
        return portable();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SetProxy<?> p && p.remote.sameObject(remote);
    }

    @Override
    public int hashCode() {
        return remote.identityHash();
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
