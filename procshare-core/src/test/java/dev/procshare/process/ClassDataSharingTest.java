package dev.procshare.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.testkit.NoLeaks;
import java.io.IOException;
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
    private static final String ARCHIVE = Runtime.version().feature() >= 25 ? ".aot" : ".jsa";

    @Test
    void firstChildWritesTheArchiveAndLaterChildrenUseItQuietly(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String root : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path path = Path.of(root);
                if (Files.isDirectory(path) && (root.endsWith("classes") || root.endsWith("test-classes"))) {
                    addTree(out, path);
                }
            }
        }
        Path archives = dir.resolve("cds");
        System.setProperty("procshare.cds.dir", archives.toString());
        try {
            for (int i = 0; i < 3; i++) {
                try (JvmProcess child = JvmProcess.builder().classpath(jar.toString()).captureOutput()
                        .call(() -> 6 * 7).start()) {
                    assertEquals(42, (int) child.result(Duration.ofSeconds(60)));
                    assertTrue(child.join(Duration.ofSeconds(60)));
                    String output = child.output();
                    assertFalse(output.contains("warning") || output.contains("AOT"), "a child printed: " + output);
                }
                if (i == 0) {
                    waitForArchive(archives);
                }
            }
            try (Stream<Path> files = Files.list(archives)) {
                List<String> names = files.map(p -> p.getFileName().toString()).collect(Collectors.toList());
                assertEquals(1, names.size(), names.toString());
                // JDK 25 and later: an AOT cache (classes linked, lambdas resolved); before: a dynamic CDS archive
                assertTrue(names.get(0).endsWith(ARCHIVE), names.toString());
            }
        } finally {
            System.clearProperty("procshare.cds.dir");
        }
    }

    private static void waitForArchive(Path archives) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(archives)) {
                try (Stream<Path> files = Files.list(archives)) {
                    if (files.anyMatch(p -> p.toString().endsWith(ARCHIVE))) {
                        return;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no archive written in " + archives);
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
