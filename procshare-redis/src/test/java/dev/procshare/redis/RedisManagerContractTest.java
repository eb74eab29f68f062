package dev.procshare.redis;

import dev.procshare.manager.Manager;
import dev.procshare.manager.contract.ManagerContract;
import dev.procshare.testkit.NoLeaks;
import dev.procshare.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The manager contract, with the same assertions as the socket manager's, on a real redis-server. */
@ExtendWith(NoLeaks.class)
class RedisManagerContractTest extends ManagerContract {
    private static RedisServer redis;
    private static Manager manager;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        manager = configure(Manager.builder().authKey(redis.password().getBytes(StandardCharsets.UTF_8)))
                .connect(redis.url() + "?lease=2s&manager=contract");
    }

    @AfterAll
    static void stop() {
        try {
            if (manager != null) {
                manager.shutdown();
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    @Override
    protected Manager manager() {
        return manager;
    }

    /** A 2 s lease, a heartbeat every third of it, and waiters that look again every 100 ms. */
    @Override
    protected Duration deathBound() {
        return Duration.ofSeconds(15);
    }
}
