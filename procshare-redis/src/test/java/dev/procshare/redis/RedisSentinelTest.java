package dev.procshare.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.manager.ManagedLock;
import dev.procshare.manager.Manager;
import dev.procshare.manager.ManagerException;
import dev.procshare.manager.Namespace;
import dev.procshare.manager.SharedMap;
import dev.procshare.process.JvmProcess;
import dev.procshare.testkit.NoLeaks;
import dev.procshare.testkit.RedisServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A {@code redis-sentinel://} address: the manager finds the master through a real Sentinel. */
@ExtendWith(NoLeaks.class)
class RedisSentinelTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    @Test
    @Timeout(120)
    void aManagerReachesItsMasterThroughSentinelAndItsProxiesTravel() throws Exception {
        try (RedisServer master = RedisServer.start()) {
            // the directory's name lets .ci/run find a sentinel this test failed to stop
            Path dir = Files.createTempDirectory("procshare-redis-sentinel-");
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path conf = dir.resolve("sentinel.conf");
            Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\ndir " + dir + "\nrequirepass " + master.password()
                    + "\nsentinel monitor m 127.0.0.1 " + master.port() + " 1\nsentinel auth-pass m " + master.password()
                    + "\n");
            Process sentinel = new ProcessBuilder("redis-server", conf.toString(), "--sentinel").directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel.log").toFile()).start();
            try {
                String url = "redis-sentinel://127.0.0.1:" + port + "/m?manager=sentinel&timeout=2s";
                byte[] key = master.password().getBytes(StandardCharsets.UTF_8);
                try (Manager m = connectWhenUp(url, key, dir)) {
                    Namespace ns = m.namespace();
                    ns.set("x", 41);
                    assertEquals(42, (Integer) ns.update("x", (Integer v) -> v + 1));
                    SharedMap<String, Integer> map = m.map();
                    ManagedLock lock = m.lock();
                    try (JvmProcess child = JvmProcess.builder().call(() -> {
                        lock.lock();
                        try {
                            return map.merge("n", 1, Integer::sum);
                        } finally {
                            lock.unlock();
                        }
                    }).start()) {
                        assertEquals(1, (Integer) child.result(BOUND));
                    }
                    assertEquals(2, map.merge("n", 1, Integer::sum));
                    assertTrue(String.valueOf(master.command("KEYS", "ps:{sentinel/*")).contains("ps:{sentinel/"),
                            "the objects are on the master Sentinel named");
                    m.shutdown();
                }
            } finally {
                sentinel.destroy();
                if (!sentinel.waitFor(10, TimeUnit.SECONDS)) {
                    sentinel.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    private static Manager connectWhenUp(String url, byte[] key, Path dir) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return Manager.connect(url, key);
            } catch (ManagerException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no manager through Sentinel: " + e + "\n"
                            + Files.readString(dir.resolve("sentinel.log")), e);
                }
                Thread.sleep(200);
            }
        }
    }
}
