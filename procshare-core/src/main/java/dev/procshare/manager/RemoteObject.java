package dev.procshare.manager;

import dev.procshare.connection.Address;
import dev.procshare.codec.Portable;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The base of every proxy: which object on which manager. Serializing a proxy writes only that (a
 * {@link Descriptor}); deserializing it in another process gives a proxy there that calls the same object.
 * Two proxies are equal when they refer to the same object of the same manager.
 */
abstract class RemoteObject implements Serializable, Portable.Replaced {
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

    /** The descriptor that travels instead of the proxy; the object is kept alive for the trip. */
    @Override
    public final Portable portable() {
        return Descriptor.exporting(client, ref);
    }

    /** Java serialization writes the descriptor instead of the proxy. */
    final Object writeReplace() throws ObjectStreamException {
        return portable();
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

    /**
     * What a proxy is on the wire: a manager address and an object. Java-serialized, or written by
     * {@code FastCodec} as plain values (which spares a receiving JVM its first {@code ObjectInputStream}).
     */
    record Descriptor(String address, ObjectRef ref) implements Serializable, Portable {
        static {
            Portable.register(Descriptor.class, new Portable.Factory() { // not a lambda: a cold JVM's first costs ms
                @Override
                public Object rebuild(List<?> values) throws InvalidObjectException {
                    if (values.size() != 5 || !(values.get(0) instanceof String address)
                            || !(values.get(1) instanceof Long id) || !(values.get(2) instanceof String kind)
                            || !(values.get(3) == null || values.get(3) instanceof String)
                            || !(values.get(4) == null || values.get(4) instanceof String)) {
                        throw new InvalidObjectException("not a manager proxy's descriptor: " + values);
                    }
                    Address where;
                    try {
                        where = Address.parse(address);
                    } catch (IllegalArgumentException e) {
                        throw new InvalidObjectException("not a manager address in a proxy's descriptor: " + address);
                    }
                    ObjectRef ref = new ObjectRef(id, kind, (String) values.get(3), (String) values.get(4));
                    return Proxies.make(ManagerClient.shared(where), ref, false);
                }
            });
        }

        /** The descriptor of {@code ref} for a trip to another process; the object is kept alive for it. */
        static Descriptor exporting(ManagerClient client, ObjectRef ref) {
            client.exported(ref.id());
            return new Descriptor(client.address().toString(), ref);
        }

        Object readResolve() throws ObjectStreamException {
            return Proxies.make(ManagerClient.shared(Address.parse(address)), ref, false);
        }

        @Override
        public List<Object> portableValues() {
            return new ArrayList<>(Arrays.asList(address, ref.id(), ref.kind(), ref.typeId(), ref.interfaceName()));
        }

        // written out: a record's generated ones bootstrap through method handles (see Address)
        @Override
        public boolean equals(Object o) {
            return o instanceof Descriptor d && address.equals(d.address) && ref.id() == d.ref.id();
        }

        @Override
        public int hashCode() {
            return address.hashCode() * 31 + Long.hashCode(ref.id());
        }
    }
}
