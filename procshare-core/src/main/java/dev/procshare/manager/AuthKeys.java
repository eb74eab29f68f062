package dev.procshare.manager;

import dev.procshare.connection.Address;
import dev.procshare.process.InheritedContext;
import java.util.Arrays;

/**
 * This process's auth keys. Like Python's {@code current_process().authkey}: a process has one default key,
 * random unless it inherited one, and every JVM it starts inherits it (over the private launch channel). A
 * manager started with an explicit key also hands that key down, filed under its address.
 */
final class AuthKeys {
    private static final String FOR_ADDRESS = "procshare.authkey@";

    private AuthKeys() {
    }

    /** The process's default key, {@link InheritedContext#authKey()}. */
    static byte[] processKey() {
        return InheritedContext.authKey();
    }

    /** Records {@code key} for {@code address} here and in every JVM started from now on. */
    static void remember(Address address, byte[] key) {
        remember(address.toString(), key);
    }

    /** The same for an address a {@link ManagerBackend} serves, as the user wrote it. */
    static void remember(String address, byte[] key) {
        byte[] current = InheritedContext.get(FOR_ADDRESS + address);
        if (current == null || !Arrays.equals(current, key)) {
            InheritedContext.put(FOR_ADDRESS + address, key);
        }
    }

    /** The key for {@code address}: the one recorded for it, else the process key. */
    static byte[] forAddress(Address address) {
        return forAddress(address.toString());
    }

    static byte[] forAddress(String address) {
        byte[] key = recorded(address);
        return key != null ? key : processKey();
    }

    /** The key recorded for {@code address} here or by an ancestor, or null. */
    static byte[] recorded(String address) {
        return InheritedContext.get(FOR_ADDRESS + address);
    }

    static void check(byte[] key) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("an auth key must not be empty");
        }
    }
}
