package dev.procshare.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed programs' jar holds procshare and the examples, nothing else the benchmarks jar carries. */
class ProgramClasspathTest {

    @Test
    void theProgramsJarKeepsProcshareAndTheFloorOnly(@TempDir Path dir) throws IOException {
        Path first = jar(dir.resolve("a.jar"), "dev/procshare/memory/SharedLong.class", "org/openjdk/jmh/Main.class",
                "META-INF/services/dev.procshare.manager.ManagerBackend", "dev/procshare/examples/SharedFlagDemo.class");
        Path second = jar(dir.resolve("b.jar"), "dev/procshare/redis/RedisBackend.class",
                "dev/procshare/bench/JvmFloor.class", "dev/procshare/bench/ProgramBench.class",
                "dev/procshare/memory/SharedLong.class");
        Path out = Files.createDirectory(dir.resolve("out"));
        String classpath = ProgramBench.programClasspath(first + File.pathSeparator + second, out);
        assertEquals(out.resolve("seed-programs.jar").toString(), classpath);
        assertEquals(List.of("dev/procshare/memory/SharedLong.class", "dev/procshare/examples/SharedFlagDemo.class",
                "dev/procshare/bench/JvmFloor.class"), names(Path.of(classpath)));
    }

    @Test
    void aClasspathWithADirectoryOrNoProcshareIsUsedAsItIs(@TempDir Path dir) throws IOException {
        Path out = Files.createDirectory(dir.resolve("out"));
        String withDirectory = jar(dir.resolve("a.jar"), "dev/procshare/memory/SharedLong.class") + File.pathSeparator
                + Files.createDirectory(dir.resolve("classes"));
        assertEquals(withDirectory, ProgramBench.programClasspath(withDirectory, out));
        String other = jar(dir.resolve("c.jar"), "org/openjdk/jmh/Main.class").toString();
        assertEquals(other, ProgramBench.programClasspath(other, out));
    }

    private static Path jar(Path file, String... entries) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
            for (String name : entries) {
                out.putNextEntry(new JarEntry(name));
                out.write(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return file;
    }

    private static List<String> names(Path jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().forEach(e -> names.add(e.getName()));
        }
        return names;
    }
}
