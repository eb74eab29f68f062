package dev.procshare.manager;

import dev.procshare.connection.Address;
import dev.procshare.codec.AllowList;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/** Everything a server needs, serializable so that it can travel to the server's own JVM. */
record ServerConfig(Address address, byte[] authKey, List<Registration> registrations, AllowList allowList,
        int maxFrameBytes, Duration handshakeTimeout, int maxConnections, int maxHandshakes, String codecProvider)
        implements Serializable {

    ServerConfig {
        registrations = List.copyOf(registrations);
        authKey = authKey.clone();
    }

    /**
     * This configuration as bytes for the server's own JVM: plain values in the standard codec, so that the
     * new JVM spends no time on record and lambda machinery before it listens; the registrations (which hold
     * factories, usually lambdas) go through Java serialization only when there are any.
     */
    byte[] toBytes() throws java.io.IOException {
        java.util.ArrayList<Object> f = new java.util.ArrayList<>();
        f.add(address.toString());
        f.add(authKey);
        f.add(new java.util.ArrayList<Object>(allowList.allowedClasses()));
        f.add(new java.util.ArrayList<Object>(allowList.allowedPackages()));
        f.add(maxFrameBytes);
        f.add(handshakeTimeout.toMillis());
        f.add(maxConnections);
        f.add(maxHandshakes);
        f.add(codecProvider);
        f.add(registrations.isEmpty() ? null : dev.procshare.codec.JavaCodec.INSTANCE.encode(new java.util.ArrayList<>(registrations)));
        return dev.procshare.codec.FastCodec.INSTANCE.encode(f);
    }

    /** The configuration {@link #toBytes()} wrote (bytes from the parent, over the private launch channel). */
    @SuppressWarnings("unchecked")
    static ServerConfig fromBytes(byte[] bytes) throws java.io.IOException, ClassNotFoundException {
        List<?> f = (List<?>) dev.procshare.codec.FastCodec.INSTANCE.decode(bytes);
        AllowList allow = AllowList.defaults().allowClasses((List<String>) f.get(2)).allowPackages((List<String>) f.get(3));
        List<Registration> registrations = f.get(9) == null ? List.of()
                : (List<Registration>) dev.procshare.codec.JavaCodec.INSTANCE.decode((byte[]) f.get(9));
        return new ServerConfig(Address.parse((String) f.get(0)), (byte[]) f.get(1), registrations, allow,
                (Integer) f.get(4), Duration.ofMillis((Long) f.get(5)), (Integer) f.get(6), (Integer) f.get(7),
                (String) f.get(8));
    }

    /** The allow-list with the registered types added: their interfaces and the classes their factories make. */
    AllowList effectiveAllowList() {
        List<String> names = new java.util.ArrayList<>();
        for (Registration r : registrations) {
            names.add(r.type().getName());
        }
        return allowList.allowClasses(names);
    }
}
