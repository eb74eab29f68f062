package dev.procshare.redis;

import dev.procshare.manager.Manager;
import dev.procshare.manager.contract.ManagerContract;
import dev.procshare.testkit.NoLeaks;
import dev.procshare.testkit.RedisCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The manager contract on a 3-master Redis Cluster: every object's keys share one hash tag, so each
 * operation runs on one master, and the objects of one manager spread over all three.
 */
@ExtendWith(NoLeaks.class)
class RedisClusterContractTest extends ManagerContract {
    private static RedisCluster cluster;
    private static Manager manager;

    @BeforeAll
    static void start() {
        cluster = RedisCluster.start();
        manager = configure(Manager.builder().authKey(cluster.password().getBytes(StandardCharsets.UTF_8)))
                .connect(cluster.url() + "?lease=2s&manager=cluster");
    }

    @AfterAll
    static void stop() {
        try {
            if (manager != null) {
                manager.shutdown();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Override
    protected Manager manager() {
        return manager;
    }

    @Override
    protected Duration deathBound() {
        return Duration.ofSeconds(15);
    }
}
