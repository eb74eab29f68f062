package dev.procshare.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.manager.AuthenticationException;
import dev.procshare.manager.Manager;
import dev.procshare.manager.ManagerException;
import dev.procshare.manager.Namespace;
import dev.procshare.manager.contract.ContractFixtures;
import dev.procshare.process.JvmProcess;
import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.JvmResult;
import dev.procshare.testkit.NoLeaks;
import dev.procshare.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Addresses, keys, undecodable calls and exiting: the edges a review of the backend found. */
@ExtendWith(NoLeaks.class)
class RedisEdgesTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    /** A registered type that takes and returns any value. */
    public interface EchoApi {
        Object echo(Object value);
    }

    public static final class Echo implements EchoApi {
        @Override
        public Object echo(Object value) {
            return value;
        }
    }

    /** A program that connects, writes and returns from main without closing its manager. */
    public static final class LeftOpen {
        public static void main(String[] args) {
            Manager m = Manager.connect(args[0], args[1].getBytes(StandardCharsets.UTF_8));
            Namespace ns = m.namespace();
            ns.set("x", 1);
            System.out.println("wrote " + (Integer) ns.get("x"));
        }
    }

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    @Test
    void addressesWithSecretsGlobsOrNonsenseAreRefusedByName() {
        for (String bad : List.of("redis://user:pw@h:6379", "redis://h:6379?manager=a*", "redis://h:6379?timeout=0s",
                "redis-sentinel://h:26379/", "redis://h:70000", "redis://h:6379?lease=forever", "redis://h:6379?color=red",
                "redis://a:1,b:2", "redis://h:6379/x")) {
            assertThrows(IllegalArgumentException.class, () -> RedisAddress.parse(bad), bad);
        }
        RedisAddress a = RedisAddress.parse("redis-sentinel://s1,s2:26380/mymaster/2?manager=app&lease=1.5s");
        assertEquals(List.of("s1:26379", "s2:26380"), a.hosts());
        assertEquals("mymaster", a.master());
        assertEquals(2, a.database());
        assertEquals(Duration.ofMillis(1500), a.lease());
        assertEquals(List.of("[::1]:6379"), RedisAddress.parse("redis://[::1]").hosts());
    }

    @Test
    @Timeout(30)
    void aProxyNamingAnAddressWithoutAKeyIsNotSentThisProcesssKey() {
        RedisRef foreign = new RedisRef("redis://127.0.0.1:1?manager=elsewhere", "map", "x", null);
        AuthenticationException e = assertThrows(AuthenticationException.class, foreign::attach);
        assertTrue(e.getMessage().contains("no auth key"), e.getMessage());
    }

    @Test
    @Timeout(120)
    void aMainThatLeavesItsManagerOpenStillExitsAndPrintsNoWarning() {
        try (RedisServer redis = RedisServer.start()) {
            JvmResult r = ChildJvm.main(LeftOpen.class, redis.url() + "?manager=open", redis.password())
                    .timeout(BOUND).run().assertSuccess().assertNoJvmWarnings();
            assertTrue(r.stdout().contains("wrote 1"), r.toString());
        }
    }

    @Test
    @Timeout(120)
    void aCallWhoseArgumentTheHostMayNotReadIsAnsweredWithAnErrorNotAHang() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            String url = redis.url() + "?lease=1s&manager=echo";
            byte[] key = redis.password().getBytes(StandardCharsets.UTF_8);
            try (Manager m = Manager.builder().authKey(key).connect(url)) {
                Namespace ns = m.namespace();
                // the host's own address text: this process allows Point there only after the host started,
                // so the host, which inherits allow-lists at launch, does not
                String hostUrl = url + "&timeout=2s";
                try (JvmProcess host = JvmProcess.builder().name("echo-host").warm(false).target(() -> {
                    Manager hosting = Manager.builder().authKey(key).register("Echo", EchoApi.class, Echo::new)
                            .connect(hostUrl);
                    ns.set("echo", hosting.create("Echo", EchoApi.class));
                    try {
                        Thread.sleep(600_000); // serves until killed
                    } catch (InterruptedException e) {
                        hosting.close();
                    }
                }).start();
                     Manager allowing = Manager.builder().authKey(key).allow(ContractFixtures.Point.class).connect(hostUrl)) {
                    EchoApi echo = null;
                    long deadline = System.nanoTime() + BOUND.toNanos();
                    while (echo == null && System.nanoTime() < deadline) {
                        echo = ns.get("echo");
                        Thread.sleep(50);
                    }
                    assertEquals("hi", echo.echo("hi"));
                    EchoApi e = echo;
                    ManagerException refused = assertThrows(ManagerException.class,
                            () -> e.echo(new ContractFixtures.Point(1, 2)));
                    assertTrue(refused instanceof dev.procshare.manager.RemoteCallException, "the host refused it: " + refused);
                    assertTrue(refused.getMessage().contains(ContractFixtures.Point.class.getName()), refused.getMessage());
                    assertEquals(7, e.echo(7), "the host serves on");
                    host.kill();
                }
                m.shutdown();
            }
        }
    }
}
