package dev.procshare.process;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Values a process hands down to every JVM it starts, over the private channel (never argv or the
 * environment): Python's inherited {@code authkey} and the like. A child sees its parent's context and passes
 * it on to its own children.
 */
public final class InheritedContext {
    /** The key under which the process's auth key travels. */
    private static final String AUTH_KEY = "procshare.authkey";
    private static final Map<String, byte[]> LOCAL = new ConcurrentHashMap<>();

    private InheritedContext() {
    }

    /** Sets a value that children started from now on will inherit. */
    public static void put(String key, byte[] value) {
        LOCAL.put(key, value.clone()); // pre-started JVMs get the context when taken, so they see this too
    }

    /** This process's value for {@code key}: set here, or inherited from the parent; null if neither. */
    public static byte[] get(String key) {
        byte[] value = LOCAL.get(key);
        if (value == null) {
            value = ChildMain.inheritedContext().get(key);
        }
        return value == null ? null : value.clone();
    }

    /**
     * This process's auth key, Python's {@code current_process().authkey}: 32 random bytes made by the first
     * JVM of a family and inherited by every JVM it starts (and theirs), so that they can all reach the
     * managers it starts. The copy returned is the caller's.
     */
    public static byte[] authKey() {
        byte[] key = get(AUTH_KEY);
        if (key != null) {
            return key;
        }
        synchronized (LOCAL) {
            key = LOCAL.get(AUTH_KEY); // not computeIfAbsent: a cold JVM's first lambda costs it ~15 ms
            if (key == null) {
                key = RandomBytes.of(32);
                LOCAL.put(AUTH_KEY, key);
            }
        }
        return key.clone();
    }

    static Map<String, byte[]> snapshot() {
        authKey(); // made before the first child starts, so that the whole family shares it
        Map<String, byte[]> all = new java.util.HashMap<>(ChildMain.inheritedContext());
        all.putAll(LOCAL);
        return all;
    }
}
