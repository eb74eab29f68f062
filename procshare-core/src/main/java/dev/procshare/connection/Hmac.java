package dev.procshare.connection;

import java.nio.charset.StandardCharsets;

/**
 * HMAC-SHA256 for the challenges that {@link Listener}/{@link Client} and the manager's handshake exchange.
 * Not for direct use.
 */
public final class Hmac {
    private Hmac() {
    }

    /**
     * HMAC-SHA256 (RFC 2104) of {@code role || data} under {@code key}, on procshare's own {@link Sha256}: the
     * JCE's {@code Mac} would cost a fresh JVM 20-25 ms of provider loading, and even {@code MessageDigest}
     * 40-90 ms. The role keeps an answer given as one side from being replayed as the other's.
     */
    public static byte[] sha256(byte[] key, String role, byte[] data) {
        byte[] block = java.util.Arrays.copyOf(key.length > 64 ? Sha256.of(key) : key, 64);
        byte[] inner = new byte[64];
        byte[] outer = new byte[64];
        for (int i = 0; i < 64; i++) {
            inner[i] = (byte) (block[i] ^ 0x36);
            outer[i] = (byte) (block[i] ^ 0x5c);
        }
        Sha256 innerSha = new Sha256();
        innerSha.update(inner);
        innerSha.update(role.getBytes(StandardCharsets.US_ASCII));
        innerSha.update(data);
        Sha256 outerSha = new Sha256();
        outerSha.update(outer);
        outerSha.update(innerSha.digest());
        return outerSha.digest();
    }

    /** Whether two MACs are equal, in time that depends on their lengths only. */
    public static boolean equal(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff |= a[i] ^ b[i];
        }
        return diff == 0;
    }
}
