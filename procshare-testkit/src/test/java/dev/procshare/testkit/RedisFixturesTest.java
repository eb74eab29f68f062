package dev.procshare.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Redis fixtures against the real {@code redis-server}: what a Redis-backed test relies on. */
class RedisFixturesTest {

    @Test
    @Timeout(15)
    void serverAnswersSetAndGetWithItsPassword() {
        try (RedisServer redis = RedisServer.start()) {
            assertTrue(redis.password().matches("[A-Za-z0-9]{24}"), redis.password());
            assertEquals("redis://127.0.0.1:" + redis.port(), redis.url());
            assertEquals("OK", redis.command("SET", "greeting", "héllo wörld"));
            assertEquals("héllo wörld", redis.command("GET", "greeting"));
            assertNull(redis.command("GET", "missing"));
            assertEquals(3L, redis.command("RPUSH", "list", "a", "b", "c"));
            assertEquals(List.of("a", "b", "c"), redis.command("LRANGE", "list", "0", "-1"));
            IllegalStateException error = assertThrows(IllegalStateException.class,
                    () -> redis.command("NOSUCHCOMMAND"));
            assertTrue(error.getMessage().startsWith("ERR unknown command"), error.getMessage());
        }
    }

    @Test
    @Timeout(15)
    void wrongPasswordIsRefusedAndNothingWorksWithoutAuth() throws IOException {
        try (RedisServer redis = RedisServer.builder().password("right-password").start();
             Socket socket = connect(redis, 2_000)) {
            assertTrue(send(socket, "AUTH", "wrong-password").startsWith("-WRONGPASS"));
            assertTrue(send(socket, "GET", "k").startsWith("-NOAUTH"));
            assertEquals("+OK", send(socket, "AUTH", "right-password"));
            assertEquals("+PONG", send(socket, "PING"));
        }
    }

    @Test
    @Timeout(20)
    void killedAppendOnlyServerRestartsOnItsPortWithAcknowledgedWrites() {
        try (RedisServer redis = RedisServer.builder().appendOnly(true).start()) {
            assertEquals("OK", redis.command("SET", "survivor", "42"));
            int port = redis.port();
            long firstPid = redis.pid();

            redis.kill();
            assertFalse(redis.isAlive());
            assertThrows(UncheckedIOException.class, () -> redis.command("PING"));

            redis.restart();
            assertTrue(redis.isAlive());
            assertEquals(port, redis.port());
            assertNotEquals(firstPid, redis.pid());
            assertEquals("42", redis.command("GET", "survivor"));

            redis.stop(); // the graceful path keeps the data as well
            redis.restart();
            assertEquals("42", redis.command("GET", "survivor"));
        }
    }

    @Test
    @Timeout(15)
    void pausedServerLetsAPlainSocketReadTimeOutAndResumeAnswersIt() throws IOException {
        try (RedisServer redis = RedisServer.start()) {
            redis.pause();
            assertTrue(redis.isPaused());
            try (Socket socket = connect(redis, 500)) { // the kernel still accepts the connection
                write(socket, "AUTH", redis.password());
                assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read());

                redis.resume();
                socket.setSoTimeout(5_000);
                assertEquals("+OK", readLine(socket.getInputStream()));
                assertEquals("+PONG", send(socket, "PING"));
            }
            assertEquals("PONG", redis.command("PING"));
        }
    }

    @Test
    @Timeout(30)
    void threeNodeClusterReachesStateOkAndTakesAKeyOnTheNodeOwningItsSlot() {
        try (RedisCluster cluster = RedisCluster.start()) {
            List<RedisServer> nodes = cluster.nodes();
            assertEquals(3, nodes.size());
            assertEquals("redis-cluster://127.0.0.1:" + nodes.get(0).port() + ",127.0.0.1:" + nodes.get(1).port()
                    + ",127.0.0.1:" + nodes.get(2).port(), cluster.url());
            for (RedisServer node : nodes) {
                assertEquals(cluster.password(), node.password());
                String info = (String) node.command("CLUSTER", "INFO");
                assertTrue(info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3"), info);
            }

            // A key that node 0 does not own, so that asking node 0 must be redirected.
            RedisServer first = nodes.get(0);
            String key = null;
            long slot = -1;
            for (int i = 0; slot < 16384 / 3; i++) {
                key = "user:" + i;
                slot = (Long) first.command("CLUSTER", "KEYSLOT", key);
            }
            String finalKey = key;
            IllegalStateException moved = assertThrows(IllegalStateException.class,
                    () -> first.command("SET", finalKey, "v"));
            String[] redirect = moved.getMessage().split(" "); // MOVED <slot> <host>:<port>
            assertEquals("MOVED", redirect[0], moved.getMessage());
            assertEquals(slot, Long.parseLong(redirect[1]));
            int ownerPort = Integer.parseInt(redirect[2].substring(redirect[2].lastIndexOf(':') + 1));
            RedisServer owner = nodes.stream().filter(n -> n.port() == ownerPort).findFirst().orElseThrow();
            assertEquals(slot >= 16384 * 2 / 3 ? nodes.get(2) : nodes.get(1), owner);

            assertEquals("OK", owner.command("SET", key, "v"));
            assertEquals("v", owner.command("GET", key));
        }
    }

    @Test
    @Timeout(30)
    void closeLeavesNoRedisServerOfOursAliveEvenWhenPaused() {
        List<Long> pids = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        RedisServer single = RedisServer.start();
        RedisCluster cluster = RedisCluster.builder().masters(2).start();
        for (RedisServer server : concat(List.of(single), cluster.nodes())) {
            pids.add(server.pid());
            dirs.add(server.dir());
        }
        single.pause();
        cluster.nodes().get(1).pause();

        single.close();
        cluster.close();
        single.close(); // idempotent
        cluster.close();

        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "redis-server " + pid);
        }
        for (Path dir : dirs) {
            assertFalse(Files.exists(dir), dir + " still exists");
        }
        assertTrue(ProcessHandle.current().children()
                .noneMatch(p -> p.info().command().orElse("").endsWith("redis-server")));
        assertThrows(IllegalStateException.class, single::restart);
    }

    private static List<RedisServer> concat(List<RedisServer> a, List<RedisServer> b) {
        List<RedisServer> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static Socket connect(RedisServer redis, int readTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(redis.host(), redis.port()), 2_000);
        socket.setSoTimeout(readTimeoutMillis);
        return socket;
    }

    /** Sends one RESP command and returns the first line of the reply (enough for status and error replies). */
    private static String send(Socket socket, String... args) throws IOException {
        write(socket, args);
        return readLine(socket.getInputStream());
    }

    private static void write(Socket socket, String... args) throws IOException {
        StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                    .append(arg).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed after: " + line);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
