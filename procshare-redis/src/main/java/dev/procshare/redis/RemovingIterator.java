package dev.procshare.redis;

import java.util.Iterator;
import java.util.function.Consumer;

/** An iterator over a snapshot whose {@code remove} also removes the item in Redis. */
final class RemovingIterator<E> implements Iterator<E> {
    private final Iterator<E> snapshot;
    private final Consumer<E> removeRemotely;
    private E last;

    RemovingIterator(Iterator<E> snapshot, Consumer<E> removeRemotely) {
        this.snapshot = snapshot;
        this.removeRemotely = removeRemotely;
    }

    @Override
    public boolean hasNext() {
        return snapshot.hasNext();
    }

    @Override
    public E next() {
        last = snapshot.next();
        return last;
    }

    @Override
    public void remove() {
        snapshot.remove();
        removeRemotely.accept(last);
    }
}
