package dev.procshare.manager;

import java.util.Set;

/**
 * Another implementation of what a manager hands out, found by {@link java.util.ServiceLoader}: an engine
 * module (such as {@code procshare-redis}) lists its backend in
 * {@code META-INF/services/dev.procshare.manager.ManagerBackend}, and {@link Manager#connect(String, byte[])}
 * hands it every address whose scheme it names. The socket manager ({@code unix:}, {@code tcp:}) is built in
 * and never asked. Not for application code: applications call {@link Manager#connect}.
 */
public interface ManagerBackend {
    /** The address schemes this backend serves, without {@code ://} (for example {@code "redis"}). */
    Set<String> schemes();

    /**
     * A manager connected to {@code address} with {@code authKey} and the builder's {@code options}. Fails with a
     * {@link ManagerException} (an {@link AuthenticationException} for a refused key) within a bounded time.
     */
    Manager connect(String address, byte[] authKey, ManagerOptions options);
}
