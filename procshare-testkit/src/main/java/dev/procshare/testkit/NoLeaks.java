package dev.procshare.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves behind a child JVM or any other child process, a procshare segment in
 * {@code /dev/shm}, a manager socket directory made by this JVM, or a non-daemon {@code procshare} thread.
 *
 * <p>Use with {@code @ExtendWith(NoLeaks.class)}. Whatever leaked is also cleaned up, so that one leaking
 * class does not make every later class fail.
 */
public final class NoLeaks implements BeforeAllCallback, AfterAllCallback {
    /** Where segments live unless a test chooses another directory. */
    public static final Path SHM = Path.of("/dev/shm");
    /** Every file the library creates there starts with this (temporary files with a dot before it). */
    public static final String PREFIX = "procshare-";

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeaks.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("before", segmentFiles());
        context.getStore(NS).put("sockets", socketDirectories());
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        List<String> problems = new ArrayList<>();
        for (ChildJvm child : ChildJvm.live()) {
            problems.add("child JVM " + child.pid() + " still running (killed now)");
            child.close();
        }
        @SuppressWarnings("unchecked")
        Set<String> before = context.getStore(NS).get("before", Set.class);
        Set<String> left = new TreeSet<>(segmentFiles());
        left.removeAll(before);
        // Another build on the machine may own new files; ours are those of this JVM or of dead processes.
        left.removeIf(name -> !ownedByUsOrDead(SHM.resolve(name)));
        for (String name : left) {
            problems.add("segment file left in " + SHM + ": " + name + " (removed now)");
            Files.deleteIfExists(SHM.resolve(name));
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("leaks after " + context.getDisplayName() + ":\n  "
                    + String.join("\n  ", problems));
        }
    }

    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));
    private static final String SOCKET_DIR_PREFIX = "procshare-mgr-" + ProcessHandle.current().pid() + "-";

    /** Manager socket directories this JVM made (named after its pid). */
    public static Set<String> socketDirectories() {
        try (Stream<Path> files = Files.list(TMP)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(SOCKET_DIR_PREFIX))
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            return Set.of();
        }
    }

    /** Child processes of this JVM still alive after a grace period for those shutting down. */
    private static List<ProcessHandle> lingeringDescendants() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<ProcessHandle> alive;
        do {
            alive = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
            if (alive.isEmpty()) {
                return alive;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return alive;
            }
        } while (System.nanoTime() < deadline);
        return alive;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static boolean ownedByUsOrDead(Path file) {
        long pid = ownerPid(file);
        return pid <= 0 || pid == ProcessHandle.current().pid()
                || ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    /** The owner pid from a segment header (little-endian long at byte 32); the pid in a temp file's name. */
    private static long ownerPid(Path file) {
        String name = file.getFileName().toString();
        if (name.startsWith(".")) {
            String[] parts = name.split("\\.");
            try {
                return Long.parseLong(parts[parts.length - 3]);
            } catch (RuntimeException e) {
                return -1;
            }
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            return ch.read(b, 32) == 8 ? b.getLong(0) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Names of the procshare files now in {@link #SHM}. */
    public static Set<String> segmentFiles() {
        if (!Files.isDirectory(SHM)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(SHM)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(PREFIX) || n.startsWith("." + PREFIX))
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new AssertionError("cannot list " + SHM, e);
        }
    }
}
