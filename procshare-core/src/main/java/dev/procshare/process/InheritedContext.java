package dev.procshare.process;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Values a process hands down to every JVM it starts, over the private channel (never argv or the
 * environment): Python's inherited {@code authkey} and the like. A child sees its parent's context and passes
 * it on to its own children.
 */
public final class InheritedContext {
    private static final Map<String, byte[]> LOCAL = new ConcurrentHashMap<>();

    private InheritedContext() {
    }

    /** Sets a value that children started from now on will inherit. */
    public static void put(String key, byte[] value) {
        LOCAL.put(key, value.clone());
        WarmJvms.invalidate(); // idle JVMs got the old context with their launch
    }

    /** This process's value for {@code key}: set here, or inherited from the parent; null if neither. */
    public static byte[] get(String key) {
        byte[] value = LOCAL.get(key);
        if (value == null) {
            value = ChildMain.inheritedContext().get(key);
        }
        return value == null ? null : value.clone();
    }

    static Map<String, byte[]> snapshot() {
        Map<String, byte[]> all = new java.util.HashMap<>(ChildMain.inheritedContext());
        all.putAll(LOCAL);
        return all;
    }
}
