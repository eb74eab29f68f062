package dev.procshare.manager;

import dev.procshare.codec.Portable;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.RandomAccess;

/**
 * A list held by a manager (Python's {@code Manager().list()}). Each method is one atomic round trip;
 * iteration, {@code toArray} and {@code toString} work on a snapshot taken by one call; {@code get} returns a
 * copy. {@code equals} is identity of the remote list, not element comparison.
 */
final class ListProxy<E> extends AbstractList<E> implements RandomAccess, Serializable, Portable.Replaced {
    private static final long serialVersionUID = 1L;

    private final transient RemoteRef remote;

    ListProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        remote = new RemoteRef(client, ref, this, fresh);
    }

    private Object call(String op, Object... args) {
        return remote.call(op, args);
    }

    @SuppressWarnings("unchecked")
    private E e(Object o) {
        return (E) o;
    }

    @Override
    public int size() {
        return (Integer) call("size");
    }

    @Override
    public E get(int index) {
        return e(call("get", index));
    }

    @Override
    public E set(int index, E element) {
        return e(call("set", index, element));
    }

    @Override
    public boolean add(E element) {
        return (Boolean) call("add", element);
    }

    @Override
    public void add(int index, E element) {
        call("insert", index, element);
    }

    @Override
    public E remove(int index) {
        return e(call("removeAt", index));
    }

    @Override
    public boolean remove(Object o) {
        return (Boolean) call("remove", o);
    }

    @Override
    public int indexOf(Object o) {
        return (Integer) call("indexOf", o);
    }

    @Override
    public int lastIndexOf(Object o) {
        return (Integer) call("lastIndexOf", o);
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
    public boolean addAll(int index, Collection<? extends E> c) {
        return (Boolean) call("insertAll", index, new ArrayList<>(c));
    }

    @Override
    protected void removeRange(int from, int to) {
        call("removeRange", from, to);
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
        return java.util.Collections.unmodifiableList(snapshot()).iterator();
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
        return o instanceof ListProxy<?> p && p.remote.sameObject(remote);
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
