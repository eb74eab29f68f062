package dev.procshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.manager.Manager;
import dev.procshare.manager.Namespace;
import dev.procshare.memory.SharedLong;
import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.JvmResult;
import dev.procshare.testkit.NoLeaks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The {@code procshare} command, run as a user runs it: in its own JVM, checked by output and exit code. */
@ExtendWith(NoLeaks.class)
@Timeout(240)
class ProcshareCommandTest {
    private static final Duration BOUND = Duration.ofSeconds(120);

    /** Runs the command to its end, whatever its exit code. */
    private static JvmResult procshare(String... args) {
        try (ChildJvm command = ChildJvm.main(Procshare.class, args).timeout(BOUND).start()) {
            return command.awaitExit(BOUND);
        }
    }

    @Test
    void helpAndUsageErrors() {
        JvmResult help = procshare("help");
        assertEquals(0, help.exitCode());
        assertTrue(help.stdout().contains("manager serve"), help.stdout());
        for (String command : new String[] {"demo", "ls", "clean", "bench"}) {
            JvmResult r = procshare(command, "--help");
            assertEquals(0, r.exitCode(), command);
            assertTrue(r.stdout().startsWith("usage: procshare " + command), r.stdout());
        }
        assertTrue(procshare("manager", "serve", "--help").stdout().contains("--authkey-file"));
        JvmResult bad = procshare("frobnicate");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.stderr().contains("unknown command 'frobnicate'"), bad.stderr());
        JvmResult missing = procshare("manager", "serve", "--listen", "tcp:127.0.0.1:0");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.stderr().contains("--authkey-file"), missing.stderr());
    }

    @Test
    void demoOneRuns() {
        JvmResult r = procshare("demo", "1");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("OK: the parent saw the child's write"), r.stdout());
    }

    @Test
    void lsShowsLiveAndStaleSegmentsAndCleanRemovesOnlyStaleOnes() throws Exception {
        try (SharedLong live = SharedLong.create(1)) {
            ChildJvm dying = ChildJvm.task(() -> {
                dev.procshare.memory.SharedMemory orphan = dev.procshare.memory.SharedMemory.create("cli-test-orphan", 64);
                System.out.println("created " + orphan.name());
                Thread.sleep(120_000);
            }).start();
            try {
                dying.awaitOutput("created", BOUND);
            } finally {
                dying.kill();
            }
            JvmResult ls = procshare("ls");
            assertEquals(0, ls.exitCode(), ls.toString());
            assertTrue(ls.stdout().contains("cli-test-orphan"), ls.stdout());
            assertTrue(ls.stdout().lines().anyMatch(l -> l.contains("cli-test-orphan") && l.contains("owner dead (stale)")),
                    ls.stdout());
            assertTrue(ls.stdout().lines().anyMatch(l -> l.contains("value slab") && l.endsWith("alive")), ls.stdout());

            JvmResult dry = procshare("clean", "--dry-run");
            assertTrue(dry.stdout().contains("would remove segment cli-test-orphan"), dry.stdout());
            assertTrue(Files.exists(Path.of("/dev/shm/procshare-cli-test-orphan")), "a dry run removes nothing");

            JvmResult clean = procshare("clean");
            assertTrue(clean.stdout().contains("removed segment cli-test-orphan"), clean.stdout());
            assertFalse(Files.exists(Path.of("/dev/shm/procshare-cli-test-orphan")));
            assertEquals(1, live.get(), "a live segment is untouched");
        }
    }

    @Test
    void managerServeAcceptsAClientAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("key");
        Files.writeString(keyFile, "a-test-key-of-some-length\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        Path socket = dir.resolve("m.sock");
        try (ChildJvm server = ChildJvm.main(Procshare.class, "manager", "serve", "--listen", "unix:" + socket,
                "--authkey-file", keyFile.toString(), "--register", "Counter=" + CliFixtures.Counter.class.getName())
                .timeout(BOUND).start()) {
            server.awaitOutput("listening on", BOUND);
            try (Manager client = Manager.connect("unix:" + socket, "a-test-key-of-some-length".getBytes(StandardCharsets.US_ASCII))) {
                Namespace ns = client.namespace();
                ns.set("from", "cli test");
                assertEquals("cli test", ns.get("from"));
                CliFixtures.CounterApi counter = client.create("Counter", CliFixtures.CounterApi.class);
                assertEquals(5, counter.add(5));
            }
            ProcessHandle.of(server.pid()).orElseThrow().destroy(); // SIGTERM
            JvmResult r = server.awaitExit(Duration.ofSeconds(20));
            assertTrue(r.exitCode() == 143 || r.exitCode() == 0, r.toString());
            assertFalse(Files.exists(socket), "the socket file is removed on SIGTERM");
        }
    }

    @Test
    void benchRunsInItsShortMode(@TempDir Path dir) throws Exception {
        assertTrue(BenchCommand.benchmarksJar() != null, "benchmarks.jar is built before this module's tests");
        JvmResult r = procshare("bench", "manager", "--quick", "--out", dir.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("... round 1/1"), "progress is shown");
        assertTrue(r.stdout().contains("| namespace get, median |"), r.stdout());
        assertTrue(Files.readString(dir.resolve("manager.md")).contains("ratio"));
        assertTrue(Files.readString(dir.resolve("manager.svg")).startsWith("<svg"));
    }
}
