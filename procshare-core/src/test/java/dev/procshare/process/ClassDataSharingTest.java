package dev.procshare.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.testkit.ChildJvm;
import dev.procshare.testkit.JvmResult;
import dev.procshare.testkit.NoLeaks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Children started from a jar classpath share an archive of classes, created once, without warnings. */
@ExtendWith(NoLeaks.class)
class ClassDataSharingTest {
    /** JDK 25 and later: an AOT cache (classes linked, lambdas resolved); before: a dynamic CDS archive. */
    private static final String ARCHIVE = Runtime.version().feature() >= 25 ? ".aot" : ".jsa";
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void firstChildWritesTheArchiveAndLaterChildrenUseItQuietly(@TempDir Path dir) throws Exception {
        Path jar = libraryJar(dir);
        Path archives = dir.resolve("cds");
        Path logs = Files.createDirectory(dir.resolve("logs"));
        String classLog = "-Xlog:class+load:file=" + logs + "/%p.txt"; // the same option, so the same archive
        System.setProperty("procshare.cds.dir", archives.toString());
        PrintStream stderr = System.err;
        ByteArrayOutputStream parentErr = new ByteArrayOutputStream();
        System.setErr(new PrintStream(parentErr, true, StandardCharsets.UTF_8));
        try {
            // The training run: its output is ours (on JDK 25 only such a child trains).
            try (JvmProcess child = JvmProcess.builder().classpath(jar.toString()).jvmOptions(classLog)
                    .call(() -> 6 * 7).start()) {
                assertEquals(42, (int) child.result(BOUND));
                assertTrue(child.join(BOUND));
            }
            awaitInstalled(archives);
            for (int i = 0; i < 2; i++) {
                try (JvmProcess child = JvmProcess.builder().classpath(jar.toString()).jvmOptions(classLog)
                        .captureOutput().call(() -> 6 * 7).start()) {
                    assertEquals(42, (int) child.result(BOUND));
                    assertTrue(child.join(BOUND));
                    assertFalse(child.output().contains("warning") || child.output().contains("AOT"),
                            "a child printed: " + child.output());
                    String loaded = Files.readString(logs.resolve(child.pid() + ".txt"));
                    assertTrue(loaded.contains("dev.procshare.process.ChildMain source: shared objects file"),
                            "the archive was not used: " + loaded.lines().filter(l -> l.contains("ChildMain"))
                                    .collect(Collectors.toList()));
                }
            }
            assertEquals(1, files(archives).size(), files(archives).toString());
            String said = parentErr.toString(StandardCharsets.UTF_8);
            assertFalse(said.contains("warning") || said.contains("AOT"), "printed here: " + said);
        } finally {
            System.setErr(stderr);
            System.clearProperty("procshare.cds.dir");
        }
    }

    @Test
    void aDirectoryClasspathSharesAnArchiveThroughAJarSnapshotOfEachState(@TempDir Path dir) throws Exception {
        Path classes = libraryDirectory(dir);
        Path archives = dir.resolve("cds");
        Path logs = Files.createDirectory(dir.resolve("logs"));
        String classLog = "-Xlog:class+load:file=" + logs + "/%p.txt";
        System.setProperty("procshare.cds.dir", archives.toString());
        System.setProperty(ClassDataSharing.DIRECTORIES_PROPERTY, "true");
        try {
            try (JvmProcess child = JvmProcess.builder().classpath(classes.toString()).jvmOptions(classLog)
                    .call(() -> 6 * 7).start()) {
                assertEquals(42, (int) child.result(BOUND));
                assertTrue(child.join(BOUND));
            }
            awaitInstalled(archives);
            try (JvmProcess child = JvmProcess.builder().classpath(classes.toString()).jvmOptions(classLog)
                    .captureOutput().call(() -> 6 * 7).start()) {
                assertEquals(42, (int) child.result(BOUND));
                assertTrue(child.join(BOUND));
                assertFalse(child.output().contains("warning"), "a child printed: " + child.output());
                String loaded = Files.readString(logs.resolve(child.pid() + ".txt"));
                assertTrue(loaded.contains("dev.procshare.process.ChildMain source: shared objects file"),
                        "the archive was not used: " + loaded.lines().filter(l -> l.contains("ChildMain"))
                                .collect(Collectors.toList()));
            }
            assertEquals(1, snapshots(archives).size(), files(archives).toString());
            // A rebuilt directory is a new snapshot: the child sees what the directory holds at its launch.
            Files.writeString(classes.resolve("added.txt"), "new");
            try (JvmProcess child = JvmProcess.builder().classpath(classes.toString())
                    .call(() -> new String(ClassLoader.getSystemResourceAsStream("added.txt").readAllBytes(),
                            StandardCharsets.UTF_8)).start()) {
                assertEquals("new", child.result(BOUND));
                assertTrue(child.join(BOUND));
            }
            assertEquals(2, snapshots(archives).size(), files(archives).toString());
            // the new snapshot is trained in the background: let that end before the directory is deleted
            awaitInstalled(archives, 2);
        } finally {
            System.clearProperty(ClassDataSharing.DIRECTORIES_PROPERTY);
            System.clearProperty("procshare.cds.dir");
        }
    }

    private static List<String> snapshots(Path archives) throws IOException {
        return files(archives).stream().filter(n -> n.startsWith("cp-") && n.endsWith(".jar"))
                .collect(Collectors.toList());
    }

    /** procshare-core's classes and tests copied into one directory, as an IDE's output folder. */
    private static Path libraryDirectory(Path dir) throws IOException {
        Path target = Files.createDirectory(dir.resolve("app-classes"));
        for (String root : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(root);
            if (Files.isDirectory(path) && (root.endsWith("classes") || root.endsWith("test-classes"))) {
                try (Stream<Path> files = Files.walk(path)) {
                    for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        Path copy = target.resolve(path.relativize(file).toString());
                        Files.createDirectories(copy.getParent());
                        Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        return target;
    }

    @Test
    void archiveIsInstalledEvenWhenTheParentExitsRightAfterItsChild(@TempDir Path dir) throws Exception {
        String jar = libraryJar(dir).toString();
        Path archives = dir.resolve("cds");
        String archivesDir = archives.toString();
        try (ChildJvm parent = ChildJvm.task(() -> {
            System.setProperty("procshare.cds.dir", archivesDir);
            try (JvmProcess child = JvmProcess.builder().classpath(jar).call(() -> 6 * 7).start()) {
                System.out.println("RESULT " + child.result(BOUND));
                child.join(BOUND);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).start()) {
            JvmResult done = parent.awaitExit();
            assertEquals(0, done.exitCode(), done.toString());
            assertTrue(parent.stdout().contains("RESULT 42"), parent.stdout());
        }
        // The training child's own helper installs it; nothing of the training is left behind.
        awaitInstalled(archives);
    }

    @Test
    void aLongLivedTrainingChildThatStartsChildrenKeepsItsClaim(@TempDir Path dir) throws Exception {
        String jar = libraryJar(dir).toString();
        Path archives = dir.resolve("cds");
        String aged = dir.resolve("aged").toString();
        String here = "-Dprocshare.cds.dir=" + archives; // children do not inherit system properties
        System.setProperty("procshare.cds.dir", archives.toString());
        try (JvmProcess child = JvmProcess.builder().classpath(jar).jvmOptions(here).call(() -> {
            while (!Files.exists(Path.of(aged))) { // the test ages this child's plan (not this JVM: see below)
                Thread.sleep(10);
            }
            try (JvmProcess grandchild = JvmProcess.builder().classpath(jar).jvmOptions(here).call(() -> 7).start()) {
                return 6 * (int) grandchild.result(BOUND);
            }
        }).start()) {
            // As if the child had run for a while: its plan is past the grace period of a new one. Done from
            // here because closing any descriptor of a file drops the POSIX locks its process holds on it
            // (setting a file's time opens it), and the child holds its plan's lock.
            Path plan = awaitFile(archives, ".tmp.plan");
            Files.setLastModifiedTime(plan, java.nio.file.attribute.FileTime.fromMillis(0));
            Files.createFile(Path.of(aged));
            assertEquals(42, (int) child.result(BOUND));
            assertTrue(child.join(BOUND));
        } finally {
            System.clearProperty("procshare.cds.dir");
        }
        // the grandchild, planning the same key, found the training under way and left it alone
        awaitInstalled(archives);
    }

    private static Path awaitFile(Path dir, String suffix) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            for (String name : files(dir)) {
                if (name.endsWith(suffix)) {
                    return dir.resolve(name);
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no " + suffix + " in " + dir);
    }

    @Test
    void theUsersOwnSharingOptionsWin(@TempDir Path dir) throws Exception {
        Path jar = libraryJar(dir);
        Path archives = dir.resolve("cds");
        System.setProperty("procshare.cds.dir", archives.toString());
        try {
            // The JDK refuses to start a JVM given -Xshare:off or an archive and an archive of ours as well.
            for (String option : List.of("-Xshare:off", "-Xshare:auto")) {
                try (JvmProcess child = JvmProcess.builder().classpath(jar.toString()).jvmOptions(option)
                        .call(() -> 6 * 7).start()) {
                    assertEquals(42, (int) child.result(BOUND), option);
                }
            }
            assertFalse(Files.exists(archives), "no training was planned");
        } finally {
            System.clearProperty("procshare.cds.dir");
        }
    }

    @Test
    void whatTheTrainingRunsVmSaysIsNotLost(@TempDir Path dir) throws Exception {
        Path jar = libraryJar(dir);
        System.setProperty("procshare.cds.dir", dir.resolve("cds").toString());
        PrintStream stderr = System.err;
        ByteArrayOutputStream parentErr = new ByteArrayOutputStream();
        System.setErr(new PrintStream(parentErr, true, StandardCharsets.UTF_8));
        // JDK 25 trains only a child whose output is ours, logs its VM's words and repeats them here; on
        // JDK 17 the training child's VM prints them itself (captured here, to look at them).
        boolean aot = Runtime.version().feature() >= 25;
        JvmProcess.Builder builder = JvmProcess.builder().classpath(jar.toString()).jvmOptions("-Xmx1k");
        try (JvmProcess child = (aot ? builder : builder.captureOutput()).call(() -> 6 * 7).start()) {
            assertTrue(child.join(BOUND));
            assertNotEquals(0, child.exitCode().getAsInt());
            long deadline = System.nanoTime() + BOUND.toNanos();
            String heard;
            do {
                Thread.sleep(20);
                heard = aot ? parentErr.toString(StandardCharsets.UTF_8) : child.output();
            } while (!heard.contains("Too small") && System.nanoTime() < deadline);
            assertTrue(heard.contains("Too small"), "the VM's complaint was lost: " + heard);
        } finally {
            System.setErr(stderr);
            System.clearProperty("procshare.cds.dir");
        }
    }

    @Test
    void noTrainingWhenTheEnvironmentTurnsSharingOff(@TempDir Path dir) throws Exception {
        Path jar = libraryJar(dir);
        Path archives = dir.resolve("cds");
        System.setProperty("procshare.cds.dir", archives.toString());
        try (JvmProcess child = JvmProcess.builder().classpath(jar.toString())
                .environment("JAVA_TOOL_OPTIONS", "-Xshare:off").call(() -> 6 * 7).start()) {
            // the JDK refuses to record an archive without its own: the child would not start at all
            assertEquals(42, (int) child.result(BOUND));
            assertFalse(Files.exists(archives), "no training was planned");
        } finally {
            System.clearProperty("procshare.cds.dir");
        }
    }

    @Test
    void vmOutputKeepsTheTtyTextOnly() {
        List<String> log = List.of("<?xml version='1.0' encoding='UTF-8'?>", "<hotspot_log version='160 1'>",
                "<vm_version>", "OpenJDK", "</vm_version>", "<tty>", "<writer thread='1'/>",
                " AOTConfiguration recorded: x.conf", "Error occurred during initialization of VM",
                "Too small &lt;maximum&gt; heap &amp; more", "<blob name='x' total_size='4224'>",
                "<sect index='1' capacity='4224' size='369' remaining='3855'/>", "</blob>",
                "<statistics type='AOTConfiguration'>", "Deoptimization traps recorded:", "</statistics>",
                "<tty_done stamp='0.003'/>", "</tty>", "</hotspot_log>");
        assertEquals("Error occurred during initialization of VM" + System.lineSeparator()
                + "Too small <maximum> heap & more" + System.lineSeparator(), ClassDataSharing.vmOutput(log));
    }

    /** Waits until an archive is in place and nothing of its training is left; returns the directory's files. */
    private static List<String> awaitInstalled(Path archives) throws InterruptedException, IOException {
        return awaitInstalled(archives, 1);
    }

    /** Waits until {@code count} archives are installed and no training is left (its files, its child). */
    private static List<String> awaitInstalled(Path archives, int count) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        List<String> names = List.of();
        while (System.nanoTime() < deadline) {
            names = files(archives).stream().filter(n -> !n.startsWith("cp-")).collect(Collectors.toList());
            if (names.size() == count && names.stream().allMatch(n -> n.endsWith(ARCHIVE))) {
                return names;
            }
            Thread.sleep(20);
        }
        String why = "";
        for (String name : names) {
            if (name.endsWith(".failed")) {
                why += "\n" + name + ": " + Files.readString(archives.resolve(name));
            }
        }
        throw new AssertionError("no archive installed, or leftovers, in " + archives + ": " + names + why);
    }

    private static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    /** procshare-core's classes and tests as one jar: the JDK archives classes from jars only. */
    private static Path libraryJar(Path dir) throws IOException {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String root : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path path = Path.of(root);
                if (Files.isDirectory(path) && (root.endsWith("classes") || root.endsWith("test-classes"))) {
                    addTree(out, path);
                }
            }
        }
        return jar;
    }

    private static void addTree(JarOutputStream out, Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(root.relativize(file).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(file));
                out.closeEntry();
            }
        }
    }
}
