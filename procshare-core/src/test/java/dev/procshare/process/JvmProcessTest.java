package dev.procshare.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.memory.SharedBoolean;
import dev.procshare.memory.SharedLong;
import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.NoLeaks;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class JvmProcessTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    @Test
    void seedFlagIsSetByDaemonChildNamedTtt() throws Exception {
        try (SharedBoolean done = SharedBoolean.create(false);
             JvmProcess ttt = JvmProcess.builder().name("ttt").daemon(true)
                     .target(() -> {
                         ProcessInfo me = JvmProcess.current();
                         if (me.name().equals("ttt") && me.daemon()) {
                             done.set(true);
                         }
                     })
                     .start()) {
            assertEquals("ttt", ttt.name());
            assertTrue(ttt.isDaemon());
            assertNotEquals(ProcessHandle.current().pid(), ttt.pid());
            assertTrue(ttt.join(BOUND), "child did not finish");
            assertEquals(0, ttt.exitCode().getAsInt());
            assertTrue(done.get(), "the child's write is visible to the parent");
        }
    }

    @Test
    void callableResultAndParentPidComeBack() throws Exception {
        try (JvmProcess child = JvmProcess.builder()
                .call(() -> new long[] {6 * 7, JvmProcess.current().parentPid().orElse(-1)}).start()) {
            long[] result = child.result(BOUND);
            assertArrayEquals(new long[] {42, ProcessHandle.current().pid()}, result);
            assertEquals("MainProcess", JvmProcess.current().name());
        }
    }

    @Test
    void exceptionInChildSurfacesWithTheChildsStackTrace() throws Exception {
        try (JvmProcess child = JvmProcess.builder().captureOutput().target(JvmProcessTest::failDeepInside).start()) {
            RemoteTaskException e = assertThrows(RemoteTaskException.class, () -> child.result(BOUND));
            IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
            assertEquals("boom in the child", cause.getMessage());
            assertTrue(Arrays.stream(cause.getStackTrace()).anyMatch(f -> f.getMethodName().equals("failDeepInside")),
                    "remote stack trace kept");
            assertTrue(child.join(BOUND));
            assertEquals(ChildMain.TASK_FAILED, child.exitCode().getAsInt());
            assertTrue(child.output().contains("boom in the child"), "the child printed its exception");
        }
    }

    private static void failDeepInside() {
        throw new IllegalStateException("boom in the child");
    }

    @Test
    void terminateKillAndSystemExitGiveDocumentedExitCodes() throws Exception {
        try (JvmProcess terminated = sleeper(); JvmProcess killed = sleeper();
             JvmProcess exited = JvmProcess.builder().target(() -> System.exit(7)).start()) {
            terminated.terminate();
            killed.kill();
            assertTrue(terminated.join(BOUND) && killed.join(BOUND) && exited.join(BOUND));
            assertEquals(143, terminated.exitCode().getAsInt());
            assertEquals(137, killed.exitCode().getAsInt());
            assertEquals(7, exited.exitCode().getAsInt());
            WorkerDiedException died = assertThrows(WorkerDiedException.class, () -> killed.result(BOUND));
            assertEquals(137, died.exitCode());
            assertEquals(7, assertThrows(WorkerDiedException.class, () -> exited.result(BOUND)).exitCode());
        }
    }

    private static JvmProcess sleeper() {
        return JvmProcess.builder().target(() -> sleep(120_000)).start();
    }

    @Test
    void unserializableCaptureFailsAtStartNamingIt() {
        Thread notSerializable = new Thread(() -> { });
        UnserializableTaskException e = assertThrows(UnserializableTaskException.class,
                () -> JvmProcess.builder().target(() -> System.out.println(notSerializable.getName())).start());
        assertTrue(e.getMessage().contains("java.lang.Thread"), e.getMessage());
        assertTrue(e.getMessage().contains("captured value #1"), e.getMessage());
        assertTrue(e.getMessage().contains("JvmProcessTest"), e.getMessage());
    }

    @Test
    void childrenExitWithinTwoSecondsWhenTheirParentIsKilled() throws Exception {
        try (ChildJvm parent = ChildJvm.task(() -> {
            JvmProcess plain = JvmProcess.builder().target(() -> sleep(120_000)).start();
            JvmProcess daemon = JvmProcess.builder().daemon(true).target(() -> sleep(120_000)).start();
            System.out.println("CHILDREN " + plain.pid() + " " + daemon.pid());
            System.out.flush();
            sleep(120_000);
        }).start()) {
            parent.awaitOutput("CHILDREN ", BOUND);
            String line = parent.stdout().lines().filter(l -> l.startsWith("CHILDREN ")).findFirst().orElseThrow();
            long[] pids = Arrays.stream(line.substring(9).trim().split(" ")).mapToLong(Long::parseLong).toArray();
            parent.kill();
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            for (long pid : pids) {
                while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (alive) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
                assertFalse(alive, "child " + pid + " outlived its killed parent by 2 s");
            }
        }
    }

    @Test
    void daemonChildrenStopWhenTheParentExitsNormallyAndOthersAreAwaited() throws Exception {
        try (SharedLong finished = SharedLong.create(0);
             ChildJvm parent = ChildJvm.task(() -> {
                 JvmProcess daemon = JvmProcess.builder().daemon(true).target(() -> sleep(120_000)).start();
                 JvmProcess worker = JvmProcess.builder().target(() -> {
                     sleep(500);
                     finished.set(1);
                 }).start();
                 System.out.println("CHILDREN " + daemon.pid() + " " + worker.pid());
                 System.out.flush();
             }).start()) {
            parent.awaitOutput("CHILDREN ", BOUND);
            parent.awaitExit().assertSuccess();
            assertEquals(1, finished.get(), "the parent's exit waited for its non-daemon child");
            String line = parent.stdout().lines().filter(l -> l.startsWith("CHILDREN ")).findFirst().orElseThrow();
            long daemonPid = Long.parseLong(line.split(" ")[1]);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (ProcessHandle.of(daemonPid).map(ProcessHandle::isAlive).orElse(false)
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertFalse(ProcessHandle.of(daemonPid).map(ProcessHandle::isAlive).orElse(false),
                    "the daemon child was stopped when its parent exited");
        }
    }

    @Test
    void jvmOptionsAndCapturedOutput() throws Exception {
        try (JvmProcess child = JvmProcess.builder().captureOutput().systemProperty("procshare.test", "hello")
                .maxHeap("64m")
                .target(() -> System.out.println("property=" + System.getProperty("procshare.test")
                        + " maxHeapMiB=" + Runtime.getRuntime().maxMemory() / (1024 * 1024)))
                .start()) {
            String out = child.output();
            assertTrue(out.contains("property=hello"), out);
            assertTrue(out.matches("(?s).*maxHeapMiB=(6\\d|5\\d).*"), out);
        }
    }

    @Test
    void childIsToldTheJdkSelectorProviderUnlessTheUserChoseOne() throws Exception {
        String key = "java.nio.channels.spi.SelectorProvider";
        String ours = java.nio.channels.spi.SelectorProvider.provider().getClass().getName();
        try (JvmProcess child = JvmProcess.builder()
                .call(() -> System.getProperty(key) + " "
                        + java.nio.channels.spi.SelectorProvider.provider().getClass().getName())
                .start()) {
            assertEquals(ours + " " + ours, child.result(BOUND));
        }
        try (JvmProcess child = JvmProcess.builder().systemProperty(key, "example.TheUsersProvider")
                .call(() -> System.getProperty(key)).start()) {
            assertEquals("example.TheUsersProvider", child.result(BOUND));
        }
    }

    @Test
    void environmentDirectoryAndOutputFileApply(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path log = dir.resolve("child.log");
        try (JvmProcess child = JvmProcess.builder().environment("PROCSHARE_TEST_ENV", "env-ok").directory(dir)
                .outputToFile(log)
                .target(() -> System.out.println(System.getenv("PROCSHARE_TEST_ENV") + " in "
                        + java.nio.file.Path.of("").toAbsolutePath()))
                .start()) {
            assertTrue(child.join(BOUND));
            assertEquals(0, child.exitCode().getAsInt());
        }
        String out = java.nio.file.Files.readString(log);
        assertTrue(out.contains("env-ok in " + dir.toRealPath()) || out.contains("env-ok in " + dir), out);
    }

    @Test
    void detachedChildOutlivesItsKilledParent() throws Exception {
        try (ChildJvm parent = ChildJvm.task(() -> {
            JvmProcess detached = JvmProcess.builder().detached(true).target(() -> sleep(120_000)).start();
            System.out.println("DETACHED " + detached.pid());
            System.out.flush();
            sleep(120_000);
        }).start()) {
            parent.awaitOutput("DETACHED ", BOUND);
            long pid = Long.parseLong(parent.stdout().lines().filter(l -> l.startsWith("DETACHED "))
                    .findFirst().orElseThrow().substring(9).trim());
            parent.kill();
            try {
                Thread.sleep(2_500);
                assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                        "a detached child keeps running after its parent died");
            } finally {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void warmStartRunsInAPrestartedJvm() throws Exception {
        JvmProcess.keepWarm(1);
        try (SharedLong counter = SharedLong.create(0)) {
            for (int i = 0; i < 3; i++) {
                try (JvmProcess child = JvmProcess.builder().warm(true).call(counter::incrementAndGet).start()) {
                    long value = child.result(BOUND);
                    assertTrue(value >= 1);
                    assertTrue(child.join(BOUND));
                    assertEquals(0, child.exitCode().getAsInt());
                }
            }
            assertEquals(3, counter.get());
        } finally {
            JvmProcess.keepWarm(0);
        }
    }

    @Test
    void aChildEndsWithItsShutdownHooksRunAndWithoutWaitingForThreadsItLeftRunning() throws Exception {
        try (SharedLong hooksRun = SharedLong.create(0)) {
            for (boolean warm : new boolean[] {false, true}) {
                JvmProcess.keepWarm(warm ? 1 : 0);
                // Exit code 0 and nothing left running: main returns and the JVM runs the hooks.
                try (JvmProcess child = JvmProcess.builder().warm(warm).target(() -> Runtime.getRuntime()
                        .addShutdownHook(new Thread(hooksRun::incrementAndGet))).start()) {
                    assertTrue(child.join(BOUND));
                    assertEquals(0, child.exitCode().getAsInt());
                }
                // A non-daemon thread left running does not keep the child alive (System.exit ends it).
                try (JvmProcess child = JvmProcess.builder().warm(warm).target(() -> {
                    Runtime.getRuntime().addShutdownHook(new Thread(hooksRun::incrementAndGet));
                    Thread forever = new Thread(() -> {
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                        } catch (InterruptedException ignored) {
                            // ends with the JVM
                        }
                    });
                    forever.start();
                }).start()) {
                    assertTrue(child.join(BOUND), "the child ended although a non-daemon thread still ran");
                    assertEquals(0, child.exitCode().getAsInt());
                }
            }
            assertEquals(4, hooksRun.get(), "every child ran its shutdown hook");
        } finally {
            JvmProcess.keepWarm(0);
        }
    }

    @Test
    void aWarmStartTakesAJvmStartedBeforeItWhichSeesTheContextOfTheStart() throws Exception {
        JvmProcess.keepWarm(1);
        try {
            awaitIdleWarmJvms(1);
            java.util.Set<Long> before = ProcessHandle.current().children().map(ProcessHandle::pid)
                    .collect(java.util.stream.Collectors.toSet());
            // Set after that JVM was started: it gets the context with its job, not at its launch.
            InheritedContext.put("procshare.test.warm-context", new byte[] {7});
            try (JvmProcess child = JvmProcess.builder().warm(true)
                    .call(() -> InheritedContext.get("procshare.test.warm-context")[0]).start()) {
                Byte seen = child.result(BOUND);
                assertEquals(Byte.valueOf((byte) 7), seen);
                assertTrue(before.contains(child.pid()), "pid " + child.pid() + " was started before: " + before);
            }
            // Back to back: each start takes the replacement of the last, whether it has finished booting or not.
            for (int i = 0; i < 3; i++) {
                try (JvmProcess child = JvmProcess.builder().warm(true).call(() -> JvmProcess.current().pid())
                        .start()) {
                    Long ran = child.result(BOUND);
                    assertEquals(Long.valueOf(child.pid()), ran);
                    assertTrue(child.join(BOUND));
                    assertEquals(0, child.exitCode().getAsInt());
                }
            }
        } finally {
            JvmProcess.keepWarm(0);
        }
    }

    @Test
    void aTakenWarmJvmIsReplacedEvenWhileItStillRuns() throws Exception {
        JvmProcess.keepWarm(1);
        try {
            awaitIdleWarmJvms(1);
            try (JvmProcess child = JvmProcess.builder().warm(true).target(() -> {
                try {
                    Thread.sleep(20_000);
                } catch (InterruptedException ignored) {
                    // terminated by the test
                }
            }).start()) {
                // The replacement is deferred so as not to slow the taken JVM's job, but not until it exits.
                awaitIdleWarmJvms(1);
                assertTrue(child.isAlive(), "the replacement came while the taken JVM was still running");
                child.kill();
            }
        } finally {
            JvmProcess.keepWarm(0);
        }
    }

    private static void awaitIdleWarmJvms(int n) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (WarmJvms.idleCount() < n) {
            assertTrue(System.nanoTime() < deadline, "no idle warm JVM within " + BOUND);
            Thread.sleep(10);
        }
    }

    @Test
    void inheritedContextReachesTheChild() throws Exception {
        InheritedContext.put("test.key", new byte[] {1, 2, 3});
        try (JvmProcess child = JvmProcess.builder().call(() -> InheritedContext.get("test.key")).start()) {
            byte[] seen = child.result(BOUND);
            assertArrayEquals(new byte[] {1, 2, 3}, seen);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
