package dev.procshare.redis;

import dev.procshare.manager.Manager;
import dev.procshare.manager.ManagerBackend;
import dev.procshare.manager.ManagerOptions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Redis backend, found by {@link java.util.ServiceLoader} when this module is on the classpath:
 * {@code Manager.connect("redis://host:6379", key)} and the other {@link RedisAddress} forms reach it.
 */
public final class RedisBackend implements ManagerBackend {
    /** Managers this process opened to attach proxies that arrived from elsewhere; they live as long as it. */
    private static final Map<String, RedisManager> FOR_PROXIES = new ConcurrentHashMap<>();

    public RedisBackend() {
    }

    @Override
    public Set<String> schemes() {
        return RedisAddress.SCHEMES;
    }

    @Override
    public Manager connect(String address, byte[] authKey, ManagerOptions options) {
        return RedisManager.connect(RedisAddress.parse(address), authKey, options);
    }

    /** The link a proxy naming {@code address} uses here: an open manager's, else one made with the inherited key. */
    static RedisLink linkFor(String address) {
        RedisLink open = RedisLink.open(address);
        if (open != null) {
            return open;
        }
        RedisManager m = FOR_PROXIES.get(address);
        if (m == null || m.link.isClosed()) {
            synchronized (FOR_PROXIES) {
                m = FOR_PROXIES.get(address);
                if (m == null || m.link.isClosed()) {
                    m = (RedisManager) Manager.connect(address);
                    FOR_PROXIES.put(address, m);
                }
            }
        }
        return m.link;
    }
}
