package dev.procshare.manager;

import dev.procshare.codec.Portable;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.AbstractQueue;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A queue held by a manager, Python's {@code Manager().Queue()}, as a {@link BlockingQueue}. Waits happen on
 * the server; interrupting the waiting thread cancels the wait there. An item the server hands to a process
 * that died before receiving it goes back to the head of the queue. Iteration works on a snapshot.
 * {@link JoinableQueueProxy} adds the task count.
 */
class QueueProxy<E> extends AbstractQueue<E> implements BlockingQueue<E>, Serializable, Portable.Replaced {
    private static final long serialVersionUID = 1L;

    private final transient RemoteRef remote;

    QueueProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        remote = new RemoteRef(client, ref, this, fresh);
    }

    final Object call(String op, Object... args) {
        return remote.call(op, args);
    }

    final Object callInterruptibly(String op, Object... args) throws InterruptedException {
        return remote.callInterruptibly(op, args);
    }

    @SuppressWarnings("unchecked")
    private E e(Object o) {
        return (E) o;
    }

    @Override
    public boolean offer(E e) {
        return (Boolean) call("offer", Objects.requireNonNull(e), 0L);
    }

    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
        return (Boolean) callInterruptibly("offer", Objects.requireNonNull(e), Math.max(0, unit.toNanos(timeout)));
    }

    @Override
    public void put(E e) throws InterruptedException {
        callInterruptibly("offer", Objects.requireNonNull(e), -1L);
    }

    @Override
    public E poll() {
        return e(call("poll", 0L));
    }

    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        return e(callInterruptibly("poll", Math.max(0, unit.toNanos(timeout))));
    }

    @Override
    public E take() throws InterruptedException {
        return e(callInterruptibly("poll", -1L));
    }

    @Override
    public E peek() {
        return e(call("peek"));
    }

    @Override
    public int size() {
        return (Integer) call("size");
    }

    @Override
    public int remainingCapacity() {
        return (Integer) call("remainingCapacity");
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
    public void clear() {
        call("clear");
    }

    @Override
    public int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    @SuppressWarnings("unchecked")
    public int drainTo(Collection<? super E> c, int maxElements) {
        if (c == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        List<E> drained = (List<E>) call("drain", maxElements);
        c.addAll(drained);
        return drained.size();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Iterator<E> iterator() {
        return java.util.Collections.unmodifiableList((List<E>) call("snapshot")).iterator();
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
        return o instanceof QueueProxy<?> p && p.remote.sameObject(remote);
    }

    @Override
    public int hashCode() {
        return remote.identityHash();
    }

    @Override
    public String toString() {
        return kindName() + "#" + remote.ref().id() + call("snapshot");
    }

    String kindName() {
        return "ManagedQueue";
    }
}
