package dev.procshare.manager;

import java.util.ServiceLoader;

/** Finds the {@link ManagerBackend} for an address's scheme; the socket manager's schemes are built in. */
final class Backends {
    private Backends() {
    }

    /** The scheme of {@code address}: the text before its first {@code :}, or {@code unix} for a bare path. */
    static String scheme(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("empty address; use unix:/path, tcp://host:port or redis://host:port");
        }
        int colon = address.indexOf(':');
        return address.startsWith("/") || colon <= 0 ? "unix" : address.substring(0, colon);
    }

    static boolean isBuiltIn(String scheme) {
        return scheme.equals("unix") || scheme.equals("tcp");
    }

    static ManagerBackend forScheme(String scheme, String address) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        for (ManagerBackend backend : ServiceLoader.load(ManagerBackend.class,
                loader != null ? loader : Backends.class.getClassLoader())) {
            if (backend.schemes().contains(scheme)) {
                return backend;
            }
        }
        String module = scheme.startsWith("redis") ? "procshare-redis" : "the module of that engine";
        throw new ManagerException("no manager backend for '" + scheme + ":' addresses such as " + address
                + " is on the classpath: add " + module + " to it (built in: unix:/path and tcp://host:port)");
    }
}
