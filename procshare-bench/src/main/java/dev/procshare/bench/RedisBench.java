package dev.procshare.bench;

import dev.procshare.manager.ManagedLock;
import dev.procshare.manager.Manager;
import dev.procshare.manager.Namespace;
import dev.procshare.manager.SharedMap;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Round trips of the same three calls on three managers, one client, all on loopback: the Redis backend (a
 * {@code redis-server} this starts on a free port with a password), the socket manager over TCP (its server in
 * its own JVM), and the socket manager on its default Unix socket with shared memory.
 */
final class RedisBench {
    private RedisBench() {
    }

    /** Median and p99 (µs) per backend and call: {@code "redis ns_get" -> {median, p99}}. */
    static Map<String, double[]> latencies(int calls) throws Exception {
        Map<String, double[]> out = new LinkedHashMap<>();
        String password = UUID.randomUUID().toString();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("procshare-bench-redis");
        Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--requirepass", password, "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        try {
            try (Manager m = connectWhenUp("redis://127.0.0.1:" + port + "?manager=bench", password)) {
                measure(m, "redis", calls, out);
                m.shutdown();
            }
            // the merge function is a lambda of this class: the socket server must be allowed to read it
            try (Manager m = Manager.builder().address("tcp://127.0.0.1:0").allow(RedisBench.class).start()) {
                measure(m, "tcp", calls, out);
            }
            try (Manager m = Manager.builder().allow(RedisBench.class).start()) {
                measure(m, "unix", calls, out);
            }
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
            redis.destroyForcibly();
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
        return out;
    }

    private static Manager connectWhenUp(String url, String password) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return Manager.connect(url + "&timeout=1s", password.getBytes(StandardCharsets.UTF_8));
            } catch (dev.procshare.manager.ManagerUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("redis-server did not come up (is it installed? apt-get install redis-server)", e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static void measure(Manager m, String backend, int calls, Map<String, double[]> out) {
        Namespace ns = m.namespace();
        ns.set("x", 1);
        SharedMap<String, Integer> map = m.map();
        ManagedLock lock = m.lock();
        out.put(backend + " ns_get", ManagerBench.time(calls, () -> ns.get("x")));
        out.put(backend + " map_merge", ManagerBench.time(calls, () -> map.merge("k", 1, Integer::sum)));
        out.put(backend + " lock", ManagerBench.time(calls, () -> {
            lock.lock();
            lock.unlock();
        }));
    }
}
