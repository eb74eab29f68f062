package dev.procshare.connection;

import dev.procshare.codec.AllowList;
import dev.procshare.codec.Portable;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link Connection} travels as: the rendezvous address of the process that holds its other side,
 * the end there and a one-time token, the direction, and the allow-list its {@code recv()} applies.
 * Decoding it connects (see {@link Rendezvous}); a second decoding of the same descriptor is refused there.
 */
final class EndDescriptor implements Serializable, Portable {
    @Serial
    private static final long serialVersionUID = 1L;

    static {
        Portable.register(EndDescriptor.class, new Portable.Factory() { // not a lambda: a fresh JVM's first costs ms
            @Override
            public Object rebuild(List<?> v) throws InvalidObjectException {
                if (v.size() != 8 || !(v.get(0) instanceof String address) || !(v.get(1) instanceof Long id)
                        || !(v.get(2) instanceof Integer slot) || !(v.get(3) instanceof String token)
                        || !(v.get(4) instanceof Boolean readable) || !(v.get(5) instanceof Boolean writable)
                        || !(v.get(6) instanceof List<?> classes) || !(v.get(7) instanceof List<?> packages)) {
                    throw new InvalidObjectException("not a connection's descriptor: " + v);
                }
                return new EndDescriptor(address, id, slot, token, readable, writable, strings(classes),
                        strings(packages)).connect();
            }
        });
    }

    private final String address;
    private final long id;
    private final int slot;
    private final String token;
    private final boolean readable;
    private final boolean writable;
    private final ArrayList<String> allowedClasses;
    private final ArrayList<String> allowedPackages;

    EndDescriptor(String address, long id, int slot, String token, boolean readable, boolean writable,
            List<String> allowedClasses, List<String> allowedPackages) {
        this.address = address;
        this.id = id;
        this.slot = slot;
        this.token = token;
        this.readable = readable;
        this.writable = writable;
        this.allowedClasses = new ArrayList<>(allowedClasses);
        this.allowedPackages = new ArrayList<>(allowedPackages);
    }

    private static List<String> strings(List<?> values) throws InvalidObjectException {
        List<String> out = new ArrayList<>();
        for (Object o : values) {
            if (!(o instanceof String s)) {
                throw new InvalidObjectException("not a class or package name in a connection's descriptor: " + o);
            }
            out.add(s);
        }
        return out;
    }

    String address() {
        return address;
    }

    long id() {
        return id;
    }

    int slot() {
        return slot;
    }

    String token() {
        return token;
    }

    /** Connects to the rendezvous that issued this and becomes the end there. */
    private Connection connect() throws InvalidObjectException {
        try {
            SocketFrames frames = Rendezvous.claim(this);
            AllowList allow = AllowList.defaults().allowClasses(allowedClasses).allowPackages(allowedPackages);
            return Connection.over(frames, readable, writable, allow);
        } catch (IOException e) {
            InvalidObjectException failed = new InvalidObjectException("cannot attach " + this + ": " + e.getMessage());
            failed.initCause(e);
            throw failed;
        }
    }

    @Serial
    private Object readResolve() throws ObjectStreamException {
        if (address == null || token == null || allowedClasses == null || allowedPackages == null) {
            throw new InvalidObjectException("incomplete connection descriptor");
        }
        return connect();
    }

    @Override
    public List<Object> portableValues() {
        return new ArrayList<>(List.of(address, id, slot, token, readable, writable, allowedClasses, allowedPackages));
    }

    @Override
    public String toString() {
        return "connection end " + id + "/" + slot + " at " + address;
    }
}
