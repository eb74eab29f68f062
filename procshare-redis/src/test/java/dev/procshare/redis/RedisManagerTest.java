package dev.procshare.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.manager.AuthenticationException;
import dev.procshare.manager.ManagedLock;
import dev.procshare.manager.Manager;
import dev.procshare.manager.ManagerException;
import dev.procshare.manager.ManagerUnavailableException;
import dev.procshare.manager.Namespace;
import dev.procshare.manager.SharedMap;
import dev.procshare.manager.contract.ContractFixtures;
import dev.procshare.process.JvmProcess;
import dev.procshare.testkit.NoLeaks;
import dev.procshare.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What only an engine of its own brings: a wrong password, Redis gone and back, a host that dies. */
@ExtendWith(NoLeaks.class)
class RedisManagerTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    private static byte[] key(RedisServer redis) {
        return redis.password().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(60)
    void aWrongPasswordIsRefusedWithAClearErrorAndNoBackendMeansAClearErrorToo() {
        try (RedisServer redis = RedisServer.start()) {
            AuthenticationException e = assertThrows(AuthenticationException.class,
                    () -> Manager.connect(redis.url() + "?timeout=1s", "not the password".getBytes(StandardCharsets.UTF_8)));
            assertTrue(e.getMessage().contains("refused the password"), e.getMessage());
        }
        ManagerException e = assertThrows(ManagerException.class,
                () -> Manager.connect("redis://127.0.0.1:1?timeout=1s", "k".getBytes(StandardCharsets.UTF_8)));
        assertInstanceOf(ManagerUnavailableException.class, e, e.toString());
        assertThrows(IllegalArgumentException.class, () -> Manager.connect("redis://h:1?lease=soon", new byte[] {1}));
    }

    @Test
    @Timeout(120)
    void redisPausedMidRunFailsCallsWithinABoundAndTheyWorkAgainWhenItIsBack() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Manager m = Manager.builder().authKey(key(redis)).connect(redis.url() + "?timeout=1s&manager=pause")) {
            SharedMap<String, Integer> map = m.map();
            for (int i = 0; i < 100; i++) {
                map.put("k" + i, i);
            }
            redis.pause();
            try {
                long start = System.nanoTime();
                ManagerUnavailableException e = assertThrows(ManagerUnavailableException.class, () -> map.get("k1"));
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(tookMs < 15_000, "failed after " + tookMs + " ms");
                assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
            } finally {
                redis.resume();
            }
            assertEquals(99, eventually(() -> map.get("k99")), "acknowledged writes are all there");
            assertEquals(100, map.size());
            m.shutdown();
        }
    }

    @Test
    @Timeout(120)
    void redisKilledAndRestartedLosesNothingAcknowledgedAndCallsWorkAgain() throws Exception {
        try (RedisServer redis = RedisServer.builder().appendOnly(true).start();
             Manager m = Manager.builder().authKey(key(redis)).connect(redis.url() + "?timeout=1s&manager=restart")) {
            SharedMap<String, Integer> map = m.map();
            Namespace ns = m.namespace();
            for (int i = 0; i < 200; i++) {
                map.merge("n", 1, Integer::sum);
                ns.set("last", i);
            }
            redis.kill();
            long start = System.nanoTime();
            assertThrows(ManagerUnavailableException.class, () -> map.merge("n", 1, Integer::sum));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15), "a call to a dead Redis fails in bound");
            redis.restart();
            assertEquals(199, (Integer) eventually(() -> ns.get("last")));
            int n = map.get("n");
            assertTrue(n == 200 || n == 201, "200 acknowledged merges (the failed one may or may not have run): " + n);
            assertEquals(n + 1, map.merge("n", 1, Integer::sum));
            m.shutdown();
        }
    }

    @Test
    @Timeout(180)
    void aKilledHostOfARegisteredObjectFailsItsCallersClearlyInsteadOfHanging() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            String url = redis.url() + "?lease=1s&manager=host";
            try (Manager m = Manager.builder().authKey(key(redis)).connect(url)) {
                Namespace ns = m.namespace();
                try (JvmProcess host = JvmProcess.builder().name("host").target(() -> {
                    Manager hosting = Manager.builder()
                            .register("Counter", ContractFixtures.CounterApi.class, ContractFixtures.Counter::new)
                            .connect(url);
                    ns.set("counter", hosting.create("Counter", ContractFixtures.CounterApi.class));
                    try {
                        Thread.sleep(600_000);
                    } catch (InterruptedException e) {
                        hosting.close();
                    }
                }).start()) {
                    ContractFixtures.CounterApi counter = eventually(() -> ns.get("counter"));
                    counter.add(5);
                    assertEquals(5, counter.total());
                    ContractFixtures.CounterApi another = m.create("Counter", ContractFixtures.CounterApi.class);
                    another.add(1);
                    assertEquals(1, another.total(), "create from a process that does not host the type");
                    host.kill();
                    long start = System.nanoTime();
                    ManagerUnavailableException e = assertThrows(ManagerUnavailableException.class, counter::total);
                    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertTrue(tookMs < 20_000, "a dead host is noticed within a lease and a bit: " + tookMs + " ms");
                    assertTrue(e.getMessage().contains("died"), e.getMessage());
                }
                m.shutdown();
            }
        }
    }

    @Test
    @Timeout(120)
    void aValueOfAClassThisProcessDoesNotAllowIsNotDeserializedHere() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            String url = redis.url() + "?manager=allow";
            try (Manager m = Manager.builder().authKey(key(redis)).connect(url)) {
                Namespace ns = m.namespace();
                try (JvmProcess writer = JvmProcess.builder().target(() -> {
                    try (Manager allowing = Manager.builder().allow(ContractFixtures.Point.class).connect(url)) {
                        ns.set("p", new ContractFixtures.Point(1, 2));
                    }
                }).start()) {
                    assertTrue(writer.join(BOUND), "writer finished");
                    assertEquals(0, writer.exitCode().orElse(-1));
                }
                assertTrue(ns.contains("p"), "the allowing process stored it");
                ManagerException e = assertThrows(ManagerException.class, () -> ns.get("p"));
                assertTrue(e.getMessage().contains(ContractFixtures.Point.class.getName()), e.getMessage());
                m.shutdown();
            }
        }
    }

    @Test
    @Timeout(120)
    void aLiveOwnerKeepsItsLockOverManyLeasesAndHandsItOnAsAnOrdinaryRelease() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            String url = redis.url() + "?lease=500ms&timeout=1s&manager=lapse";
            try (Manager m = Manager.builder().authKey(key(redis)).connect(url)) {
                ManagedLock lock = m.lock();
                lock.lock(); // held for six leases below: only the heartbeat keeps it
                try (JvmProcess next = JvmProcess.builder().call(() -> {
                    boolean got = lock.tryLock(30, TimeUnit.SECONDS);
                    return got && lock.previousOwnerDied();
                }).start()) {
                    // this process is alive and renewing: the other one must not take the lock over
                    assertThrows(java.util.concurrent.TimeoutException.class, () -> next.result(Duration.ofSeconds(3)));
                    lock.unlock();
                    Boolean took = next.result(BOUND);
                    assertEquals(Boolean.FALSE, took, "a lock released by its live owner was not taken over from the dead");
                }
                m.shutdown();
            }
        }
    }

    private static <T> T eventually(Supplier<T> read) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                T v = read.get();
                if (v != null) {
                    return v;
                }
            } catch (ManagerException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not there within " + BOUND, last);
    }

    @Test
    @Timeout(60)
    void aProxyTravelsToAChildJvmAndSeesTheSameObject() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Manager m = Manager.builder().authKey(key(redis)).connect(redis.url() + "?manager=travel")) {
            SharedMap<String, Integer> map = m.map();
            map.put("a", 1);
            try (JvmProcess child = JvmProcess.builder().call(() -> map.merge("a", 41, Integer::sum)).start()) {
                assertEquals(42, (Integer) child.result(BOUND));
            }
            assertEquals(42, map.get("a"));
            assertNotNull(m.address());
            m.shutdown();
        }
    }
}
