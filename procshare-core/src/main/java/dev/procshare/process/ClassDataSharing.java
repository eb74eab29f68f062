package dev.procshare.process;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * An application class-data sharing archive for child JVMs, so that a cold start maps the classes a child
 * needs (serialization, lambdas, procshare's own) instead of loading and verifying them: measured here,
 * start + join of an empty target went from 74 to 60 ms on JDK 17 and from 72 to 64 ms on JDK 25.
 *
 * <p>The first child of a JDK and classpath writes the archive when it exits (that child's exit takes about
 * 100 ms longer); later children of any JVM with the same JDK and classpath use it. The archive's name is a
 * hash of the JDK and of every classpath jar's path, size and time, so a changed jar or JDK gets a new one
 * (a mismatched archive would silently switch off the JDK's own archive and make starts slower). Only for
 * classpaths of jar files: the JDK refuses directories. CDS logging is switched off in children, because a
 * dump reports classes it skips as warnings. System properties: {@code procshare.cds=false} switches this
 * off; {@code procshare.cds.dir} is where archives go (default {@code ~/.cache/procshare/cds}).
 *
 * <p>On JDK 25 and later the archive is an AOT cache: the first child runs as the training run (it records
 * which classes it loaded and linked), and when it exits a JVM of its own assembles the cache in the
 * background (about half a second); children started meanwhile go without. JDK 25, same run: cold start +
 * join of a lambda 39.2 -> 35.5 ms (1.16x -> 1.00x a bare JVM), {@code Manager.start()} 61.7 -> 55.3 ms.
 */
final class ClassDataSharing {
    private static final AtomicBoolean DUMPING = new AtomicBoolean();
    private static final int KEEP_ARCHIVES = 20;
    /**
     * JDK 25's AOT cache (JEP 483, 514) instead of a dynamic CDS archive: it also holds the classes linked and
     * the lambdas resolved. Measured in a fresh JDK 25 JVM opening a Unix server socket: 28 -> 18 ms.
     */
    private static final boolean AOT_CACHE = Runtime.version().feature() >= 25;

    private ClassDataSharing() {
    }

    /**
     * What to do for one launch: JVM options, and the archive to install when the child exits (or null).
     * With an AOT cache, {@code recorded} is the training run's configuration and {@code create} the command
     * that turns it into {@code tempArchive}.
     */
    record Plan(List<String> options, Path tempArchive, Path archive, Path recorded, List<String> create) {
        static final Plan NONE = new Plan(List.of(), null, null, null, null);

        /** Called when the child has exited: a complete dump becomes the archive others use. */
        void childExited() {
            if (tempArchive == null) {
                return;
            }
            if (recorded == null) {
                install();
                return;
            }
            // Assembling the cache takes a JVM of its own about half a second: not on the thread that saw the
            // child exit (it completes the child's exit future for everybody waiting on it).
            Thread assemble = new Thread("procshare-aot-cache") {
                @Override
                public void run() {
                    try {
                        if (Files.size(recorded) > 0) {
                            Process assembler = new ProcessBuilder(create).redirectErrorStream(true)
                                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                            if (!assembler.waitFor(2, TimeUnit.MINUTES)) {
                                assembler.destroyForcibly();
                            }
                        }
                    } catch (IOException | InterruptedException e) {
                        // no cache this time: the next child records again
                    } finally {
                        delete(recorded);
                        install();
                    }
                }
            };
            assemble.setDaemon(true);
            assemble.start();
        }

        private void install() {
            try {
                if (Files.size(tempArchive) > 0) {
                    Files.move(tempArchive, archive, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                // no archive this time: the next child tries again
            } finally {
                delete(tempArchive);
                DUMPING.set(false);
            }
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /**
     * The plan for a child with this classpath and these JVM options. The options are part of the archive's
     * key: a child with other options usually does other work (a manager server, a pool worker with a
     * bigger heap) and loads other classes, and some options (heap, GC) decide whether an archive fits.
     */
    static Plan plan(String classpath, List<String> jvmOptions) {
        if (!Boolean.parseBoolean(System.getProperty("procshare.cds", "true"))) {
            return Plan.NONE;
        }
        try {
            String key = key(classpath, jvmOptions);
            if (key == null) {
                return Plan.NONE;
            }
            Path dir = directory();
            Path archive = dir.resolve(key + (AOT_CACHE ? ".aot" : ".jsa"));
            if (Files.isRegularFile(archive)) {
                return new Plan(AOT_CACHE ? List.of("-XX:AOTCache=" + archive, "-Xlog:cds*=off", "-Xlog:aot*=off")
                        : List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off"), null, null, null, null);
            }
            if (!DUMPING.compareAndSet(false, true)) {
                return Plan.NONE; // another child of this JVM is writing it
            }
            Files.createDirectories(dir);
            prune(dir);
            Path temp = dir.resolve(key + "." + ProcessHandle.current().pid() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
            if (!AOT_CACHE) {
                return new Plan(List.of("-XX:ArchiveClassesAtExit=" + temp, "-Xlog:cds*=off"), temp, archive, null,
                        null);
            }
            Path recorded = temp.resolveSibling(temp.getFileName() + ".conf");
            List<String> create = new ArrayList<>(List.of(Launcher.javaExecutable().toString(), "-XX:AOTMode=create",
                    "-XX:AOTConfiguration=" + recorded, "-XX:AOTCache=" + temp, "-Xlog:cds*=off", "-Xlog:aot*=off"));
            for (String option : jvmOptions) {
                if (option.startsWith("-XX:") || (option.startsWith("-X") && !option.startsWith("-Xlog"))) {
                    create.add(option); // what decides whether a cache fits (heap size, GC), not the program's
                }
            }
            create.addAll(List.of("-cp", classpath));
            // The training run prints "AOTConfiguration recorded" on the tty, whatever -Xlog says: its VM output
            // is switched off (the child's own System.out and System.err are untouched).
            return new Plan(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + recorded,
                    "-XX:+UnlockDiagnosticVMOptions", "-XX:-DisplayVMOutput", "-Xlog:cds*=off", "-Xlog:aot*=off"),
                    temp, archive, recorded, List.copyOf(create));
        } catch (IOException | RuntimeException e) {
            DUMPING.set(false);
            return Plan.NONE; // sharing is an optimisation: never a reason to fail a start
        }
    }

    private static Path directory() {
        String configured = System.getProperty("procshare.cds.dir");
        return configured != null ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "procshare", "cds");
    }

    /** A hash of the JDK and the classpath jars, or null if the classpath holds anything but jar files. */
    private static String key(String classpath, List<String> jvmOptions) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
        update(digest, System.getProperty("java.home"));
        update(digest, System.getProperty("java.vm.version"));
        for (String option : jvmOptions) {
            update(digest, option);
        }
        for (String entry : classpath.split(File.pathSeparator)) {
            Path jar = Path.of(entry).toAbsolutePath();
            if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
                return null;
            }
            BasicFileAttributes attrs = Files.readAttributes(jar, BasicFileAttributes.class);
            update(digest, jar + "|" + attrs.size() + "|" + attrs.lastModifiedTime().toMillis());
        }
        return HexFormat.of().formatHex(digest.digest(), 0, 12);
    }

    private static void update(MessageDigest digest, String s) {
        digest.update(s.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
    }

    /** Keeps the newest archives only: keys change with every rebuilt jar. */
    private static void prune(Path dir) throws IOException {
        List<Path> archives = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.toString().endsWith(".jsa") || f.toString().endsWith(".aot")).forEach(archives::add);
        }
        if (archives.size() < KEEP_ARCHIVES) {
            return;
        }
        archives.sort(Comparator.comparing((Path p) -> {
            try {
                return Files.getLastModifiedTime(p).toMillis();
            } catch (IOException e) {
                return 0L;
            }
        }).reversed());
        for (Path old : archives.subList(KEEP_ARCHIVES - 1, archives.size())) {
            Files.deleteIfExists(old);
        }
    }
}
