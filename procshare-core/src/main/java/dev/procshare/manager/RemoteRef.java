package dev.procshare.manager;

import java.util.Iterator;
import java.util.function.Consumer;

/**
 * Which object on which manager, for the collection proxies (which extend {@code java.util}'s abstract
 * classes and so cannot extend {@link RemoteObject}): calls, the serialized form, identity.
 */
record RemoteRef(ManagerClient client, ObjectRef ref) {

    RemoteRef(ManagerClient client, ObjectRef ref, Object proxy, boolean fresh) {
        this(client, ref);
        client.track(proxy, ref.id(), fresh);
    }

    Object call(String op, Object... args) {
        return client.call(ref.id(), op, args);
    }

    Object callInterruptibly(String op, Object... args) throws InterruptedException {
        return client.callInterruptibly(ref.id(), op, args);
    }

    /** What a proxy writes when serialized; the object is kept alive for the trip. */
    RemoteObject.Descriptor descriptor() {
        return RemoteObject.Descriptor.exporting(client, ref);
    }

    boolean sameObject(RemoteRef other) {
        return other.ref.id() == ref.id() && other.client.address().equals(client.address());
    }

    int identityHash() {
        return Long.hashCode(ref.id()) * 31 + client.address().hashCode();
    }

    /** An iterator over a snapshot whose {@code remove} calls {@code remover} (a removal on the server). */
    static <E> Iterator<E> removingIterator(Iterator<E> snapshot, Consumer<E> remover) {
        return new Iterator<>() {
            private E last;

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
                remover.accept(last);
            }
        };
    }
}
