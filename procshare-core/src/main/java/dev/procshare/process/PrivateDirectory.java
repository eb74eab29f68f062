package dev.procshare.process;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Directories under {@code java.io.tmpdir} that only this user can enter, named {@code <prefix><pid>-<random>}
 * after the JVM that made them, so that those of a JVM that was killed can be found and removed later. The
 * control channel to child JVMs and the managers' sockets live in them. Not for direct use.
 */
public final class PrivateDirectory {
    private PrivateDirectory() {
    }

    /** A new directory (mode 0700) named after this JVM. */
    public static Path create(String prefix) throws IOException {
        // named here rather than by Files.createTempDirectory, whose first use seeds a SecureRandom (RandomBytes)
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        String stem = prefix + ProcessHandle.current().pid() + "-";
        for (int attempt = 0; ; attempt++) {
            try {
                return Files.createDirectory(tmp.resolve(stem + HexFormat.of().formatHex(RandomBytes.of(8))),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException taken) {
                if (attempt == 10) {
                    throw taken;
                }
            }
        }
    }

    /** The directories with this prefix, in name order; none if the temp directory cannot be read. */
    public static List<Path> list(String prefix) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            entries.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p))
                    .sorted().forEach(out::add);
        } catch (IOException ignored) {
            // an unreadable temp directory lists nothing
        }
        return out;
    }

    /** The pid of the JVM that made {@code dir}, if its name has this prefix and a pid after it. */
    public static OptionalLong creatorPid(Path dir, String prefix) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(prefix)) {
            return OptionalLong.empty();
        }
        String rest = name.substring(prefix.length());
        int dash = rest.indexOf('-');
        try {
            return OptionalLong.of(Long.parseLong(dash < 0 ? rest : rest.substring(0, dash)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty(); // not one of ours
        }
    }

    /** Removes {@code dir} and the files in it, as far as it can (null: nothing to do). */
    public static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // removed with the directory below, or by the next clean-up of dead JVMs' directories
                }
            });
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // already gone, or left for the next clean-up
        }
    }
}
