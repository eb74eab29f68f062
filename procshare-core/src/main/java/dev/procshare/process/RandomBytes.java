package dev.procshare.process;

import java.io.FileInputStream;
import java.io.IOException;
import java.security.SecureRandom;

/**
 * Unpredictable bytes for keys, nonces, tokens and names. Not for direct use.
 *
 * <p>Read from the kernel's generator ({@code /dev/urandom}, which is what {@code SecureRandom} uses on Linux
 * too) because a JVM's first {@code SecureRandom} costs 60-80 ms of provider loading and seeding, paid again
 * by every fresh JVM a program starts. Where that file cannot be read, {@code SecureRandom} it is.
 */
public final class RandomBytes {
    private RandomBytes() {
    }

    private static final class Fallback {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    /** {@code n} fresh random bytes. */
    public static byte[] of(int n) {
        byte[] bytes = new byte[n];
        try (FileInputStream urandom = new FileInputStream("/dev/urandom")) {
            if (urandom.readNBytes(bytes, 0, n) == n) {
                return bytes;
            }
        } catch (IOException notLinux) {
            // fall through
        }
        Fallback.RANDOM.nextBytes(bytes);
        return bytes;
    }
}
