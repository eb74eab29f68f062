package dev.procshare.connection;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Where a manager or a {@link Listener} listens: a Unix domain socket ({@code unix:/path/to.sock}, or just the path) or TCP
 * ({@code tcp://host:port} or {@code tcp:host:port}). Immutable; the string form parses back to the same
 * address. Not for direct use: procshare's APIs take the string form.
 */
public record Address(String host, int port, String path) implements Serializable {

    public static Address unix(Path path) {
        return new Address(null, -1, path.toAbsolutePath().toString());
    }

    public static Address parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty address; use unix:/path or tcp://host:port");
        }
        if (text.startsWith("unix:")) {
            return unix(Path.of(text.substring("unix:".length())));
        }
        if (text.startsWith("/")) {
            return unix(Path.of(text));
        }
        String rest = text.startsWith("tcp://") ? text.substring(6) : text.startsWith("tcp:") ? text.substring(4) : null;
        if (rest == null) {
            throw new IllegalArgumentException("address '" + text + "' is neither unix:/path nor tcp://host:port");
        }
        int colon = rest.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("address '" + text + "' has no port; use tcp://host:port");
        }
        String host = rest.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(rest.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address '" + text + "' has a bad port", e);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("address '" + text + "': port out of range");
        }
        return new Address(host, port, null);
    }

    public boolean isUnix() {
        return path != null;
    }

    public SocketAddress socketAddress() {
        return isUnix() ? UnixDomainSocketAddress.of(path) : new InetSocketAddress(host, port);
    }

    // equals and hashCode written out: a record's generated ones are bootstrapped through method handles on
    // first use, which in a fresh JVM cost ~100 ms of Manager.start() (an Address keys the shared clients).
    @Override
    public boolean equals(Object o) {
        return o instanceof Address a && port == a.port && java.util.Objects.equals(host, a.host)
                && java.util.Objects.equals(path, a.path);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(host, port, path);
    }

    @Override
    public String toString() {
        if (isUnix()) {
            return "unix:" + path;
        }
        return "tcp://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
