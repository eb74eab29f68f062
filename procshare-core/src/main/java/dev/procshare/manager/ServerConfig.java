package dev.procshare.manager;

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

    /** The allow-list with the registered types added: their interfaces and the classes their factories make. */
    AllowList effectiveAllowList() {
        List<String> names = new java.util.ArrayList<>();
        for (Registration r : registrations) {
            names.add(r.type().getName());
        }
        return allowList.allowClasses(names);
    }
}
