package dev.procshare.manager;

import java.io.ObjectStreamException;
import java.io.Serializable;

/**
 * The base of every proxy: which object on which manager. Serializing a proxy writes only that (a
 * {@link Descriptor}); deserializing it in another process gives a proxy there that calls the same object.
 * Two proxies are equal when they refer to the same object of the same manager.
 */
abstract class RemoteObject implements Serializable {
    private static final long serialVersionUID = 1L;

    final transient ManagerClient client;
    final transient ObjectRef ref;

    RemoteObject(ManagerClient client, ObjectRef ref, boolean fresh) {
        this.client = client;
        this.ref = ref;
        client.track(this, ref.id(), fresh);
    }

    final Object call(String op, Object... args) {
        return client.call(ref.id(), op, args);
    }

    final Object callInterruptibly(String op, Object... args) throws InterruptedException {
        return client.callInterruptibly(ref.id(), op, args);
    }

    /** Java serialization writes the descriptor instead of the proxy. */
    final Object writeReplace() throws ObjectStreamException {
        client.exported(ref.id());
        return new Descriptor(client.address().toString(), ref);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RemoteObject r && r.ref.id() == ref.id() && r.client.address().equals(client.address());
    }

    @Override
    public int hashCode() {
        return Long.hashCode(ref.id()) * 31 + client.address().hashCode();
    }

    /** The kind and id, without a call to the server (debuggers call this). */
    String describe() {
        return getClass().getSimpleName().replace("Proxy", "") + "#" + ref.id() + "@" + client.address();
    }

    @Override
    public String toString() {
        return describe();
    }

    /** What a proxy is on the wire: a manager address and an object. */
    record Descriptor(String address, ObjectRef ref) implements Serializable {
        Object readResolve() throws ObjectStreamException {
            return Proxies.make(ManagerClient.shared(Address.parse(address)), ref, false);
        }
    }
}
