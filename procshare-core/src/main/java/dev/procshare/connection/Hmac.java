package dev.procshare.connection;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * HMAC-SHA256 for the challenges that {@link Listener}/{@link Client} and the manager's handshake exchange.
 * Not for direct use.
 */
public final class Hmac {
    private Hmac() {
    }

    /**
     * HMAC-SHA256 (RFC 2104) of {@code role || data} under {@code key}, built on {@link MessageDigest}: the
     * JCE's {@code Mac} would cost a fresh JVM 20-25 ms of provider loading. The role keeps an answer given
     * as one side from being replayed as the other's.
     */
    public static byte[] sha256(byte[] key, String role, byte[] data) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] block = Arrays.copyOf(key.length > 64 ? sha.digest(key) : key, 64);
            byte[] inner = new byte[64];
            byte[] outer = new byte[64];
            for (int i = 0; i < 64; i++) {
                inner[i] = (byte) (block[i] ^ 0x36);
                outer[i] = (byte) (block[i] ^ 0x5c);
            }
            sha.reset();
            sha.update(inner);
            sha.update(role.getBytes(StandardCharsets.US_ASCII));
            byte[] innerHash = sha.digest(data);
            sha.update(outer);
            return sha.digest(innerHash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
