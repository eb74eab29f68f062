package dev.procshare.process;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An application class-data sharing archive for child JVMs, so that a cold start maps the classes a child
 * needs (serialization, lambdas, procshare's own) instead of loading and verifying them: measured here,
 * start + join of an empty target went from 74 to 60 ms on JDK 17 and from 72 to 64 ms on JDK 25.
 *
 * <p>The first child of a JDK and classpath is the training run: it writes the archive when it exits (that
 * child's exit takes about 100 ms longer); later children of any JVM with the same JDK and classpath use it.
 * The archive's name is a hash of the JDK and of every classpath jar's path, size and time, so a changed jar or
 * JDK gets a new one (a mismatched archive would silently switch off the JDK's own archive and make starts
 * slower). Only for classpaths of jar files, as the JDK refuses directories; with the system property
 * {@value #DIRECTORIES_PROPERTY}{@code =true} a child of a directory classpath is launched with a jar snapshot
 * of each directory instead, and shares an archive too. Not when the child's options hold
 * class-data sharing settings of their own ({@code -Xshare:off}, an archive, an AOT cache): the JDK refuses
 * to start with both. CDS logging is switched off in children, because a dump reports classes it skips as
 * warnings. System properties: {@code procshare.cds=false} switches this off; {@code procshare.cds.dir} is
 * where archives go (default {@code ~/.cache/procshare/cds}).
 *
 * <p>On JDK 25 and later the archive is an AOT cache (JEP 483, 514): it also holds the classes linked and the
 * lambdas resolved. The training run records a configuration, and a JVM of its own assembles the cache from it
 * in about half a second; children started meanwhile go without. JDK 25, same run: cold start + join of a
 * lambda 39.2 -> 35.5 ms (1.16x -> 1.00x a bare JVM), {@code Manager.start()} 61.7 -> 55.3 ms. The JVM
 * announces a recording on the terminal whatever {@code -Xlog} says, so the training run's VM output goes
 * to a log file instead; the parent repeats on its standard error whatever else the VM said there (an error
 * that stopped the child from starting, say). The child's own {@code System.out} and {@code System.err} are
 * untouched.
 *
 * <p>Installing the archive is the training child's own business, not its parent's (which may have exited
 * by then, as a program that starts one manager and ends does): the child holds a lock on its plan file while
 * it lives, and its shutdown hook starts a small helper JVM ({@link ChildMain} with {@link #INSTALL}) that
 * takes that lock once the child has gone, assembles the AOT cache if there is one to assemble, checks that
 * the archive maps, and moves it into place atomically; a child whose task failed (or whose parent died)
 * installs nothing. A key whose archive failed, or whose training child could not start, is not trained again
 * for a day. Not trained: a child whose JVM could not record (this JVM runs without the JDK's own archive,
 * options here or in the environment that the JDK refuses with a recording), and on JDK 25 a child whose
 * output is not this JVM's (the VM output the parent repeats would land elsewhere). What a killed helper
 * leaves behind is removed by the next planner. The directory is used only if it is the user's and nobody
 * else can write to it: a plan names a command line the helper runs.
 */
final class ClassDataSharing {
    /** ChildMain's first argument in a helper that installs an archive. */
    static final String INSTALL = "--procshare-install-class-archive";
    /** Set in a training child: the file that says how to install its archive. */
    static final String PLAN_PROPERTY = "procshare.cds.plan";
    private static final AtomicBoolean PLANNING = new AtomicBoolean();
    private static final int KEEP_ARCHIVES = 20;
    /** An unlocked plan younger than this may belong to a child still starting; older, it is a leftover. */
    private static final long GRACE_MILLIS = TimeUnit.MINUTES.toMillis(1);
    /** How long a key whose archive failed is not trained again. */
    private static final long FAILED_MILLIS = TimeUnit.DAYS.toMillis(1);
    /** JDK 25's AOT cache instead of a dynamic CDS archive (the options used here are JDK 25's). */
    private static final boolean AOT_CACHE = Runtime.version().feature() >= 25;
    /** Option patterns, compiled only for a child given options (a cold JVM's first regex costs ~6 ms). */
    private static final class Options {
        /** Options with which the JDK refuses to start a JVM that also records or uses our archive. */
        static final Pattern OWN_SHARING = Pattern.compile("-Xshare.*|-XX:[+-]?(SharedArchiveFile|"
                + "ArchiveClassesAtExit|AutoCreateSharedArchive|DumpLoadedClassList|SharedClassListFile|UseSharedSpaces|"
                + "AOT|Flags|VMOptionsFile).*|@.*");
        /** Options with which the JDK cannot record an archive (tested on 17 and 25: the child would not start). */
        static final Pattern NO_RECORDING = Pattern.compile("--(limit-modules|patch-module|upgrade-module-path)"
                + ".*|-Djdk\\.module\\.(limitmods|upgrade\\.path|patch).*|-XX:ObjectAlignmentInBytes.*"
                + "|-XX:-UseCompressedClassPointers");
        /** Options a helper does not pass on to the JVMs that check or assemble an archive: they write files. */
        static final Pattern NOT_FOR_HELPERS = Pattern.compile("-Xlog.*|-verbose.*|-javaagent.*|-agentlib.*"
                + "|-agentpath.*|-Dcom\\.sun\\.management\\..*|-XX:[+-]?(LogFile|LogVMOutput|DisplayVMOutput|LogCompilation"
                + "|StartFlightRecording|FlightRecorder|OnError|OnOutOfMemoryError|HeapDump|ErrorFile|AlwaysPreTouch).*");
    }

    private static final List<String> OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS");
    /** The training child's lock on its plan, held until its process ends. */
    private static volatile FileChannel planLock;

    private ClassDataSharing() {
    }

    /**
     * What to do for one launch: JVM options, and (for an AOT training run) the log of its VM output to
     * repeat when it has exited.
     */
    record Plan(List<String> options, Path vmLog, Path planFile, String classpath) {
        static final Plan NONE = new Plan(List.of(), null, null, null);

        /** The classpath to launch the child with: the one asked for, or its jar snapshot. */
        String classpathOr(String asked) {
            return classpath != null ? classpath : asked;
        }

        /**
         * Called when the child has exited: a training child that never got going (its JVM refused the
         * options, say) marks its key failed, and what its VM printed, less the recording notice, is repeated.
         */
        void childExited() {
            // the mark first: the helper deletes the plan before it, so this sees a plan only if it is still due
            if (planFile != null && !Files.exists(started(planFile)) && Files.exists(planFile)) {
                try {
                    Files.writeString(failedMark(planFile), "");
                } catch (IOException ignored) {
                    // best effort: the plan is pruned after its grace period anyway
                }
                delete(planFile);
            }
            if (vmLog == null) {
                return;
            }
            try {
                String said = vmOutput(Files.readAllLines(vmLog, StandardCharsets.UTF_8));
                if (!said.isEmpty()) {
                    System.err.print(said);
                    System.err.flush();
                }
            } catch (IOException | RuntimeException e) {
                // no log: the VM did not start far enough to write one, or the option was overridden
            } finally {
                delete(vmLog);
            }
        }
    }

    /**
     * The plan for a child with this classpath, these JVM options, this working directory (null: ours), these
     * extra environment variables, and whose output is (or is not) this JVM's. The options are part of the
     * archive's key: a child with other options usually does other work (a manager server, a pool worker with
     * a bigger heap) and loads other classes, and some options (heap, GC) decide whether an archive fits.
     */
    static Plan plan(String classpath, List<String> jvmOptions, Path directory, Map<String, String> environment,
                     boolean outputInherited) {
        List<String> effective = effectiveOptions(jvmOptions, environment);
        if (!Boolean.parseBoolean(System.getProperty("procshare.cds", "true")) || !sharingPossible(effective)) {
            return Plan.NONE;
        }
        try {
            Path workDir = directory == null ? null : directory.toAbsolutePath();
            Path dir = directory().toAbsolutePath();
            String snapshot = null;
            if (Boolean.parseBoolean(System.getProperty(DIRECTORIES_PROPERTY, "false"))) {
                snapshot = snapshotDirectories(classpath, workDir, dir);
                if (snapshot != null) {
                    classpath = snapshot;
                }
            }
            String key = key(classpath, effective, workDir); // the environment's options decide the fit too
            if (key == null || !trusted(dir)) {
                return Plan.NONE;
            }
            Path archive = dir.resolve(key + (AOT_CACHE ? ".aot" : ".jsa"));
            if (Files.isRegularFile(archive)) {
                return new Plan(AOT_CACHE ? List.of("-XX:AOTCache=" + archive, "-Xlog:cds*=off", "-Xlog:aot*=off")
                        : List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off"), null, null, snapshot);
            }
            if (AOT_CACHE && !outputInherited || !recordingPossible(effective)) {
                return Plan.NONE; // AOT: the training's VM output, repeated on our stderr, would miss its destination
            }
            if (!PLANNING.compareAndSet(false, true)) {
                return Plan.NONE; // another thread of this JVM is planning one
            }
            try {
                ensureDirectory(dir);
                prune(dir);
                if (recentlyFailed(archive) || trainingUnderWay(dir, key)) {
                    return Plan.NONE;
                }
                Plan training = training(dir, key, archive, classpath, jvmOptions, workDir);
                return new Plan(training.options(), training.vmLog(), training.planFile(), snapshot);
            } finally {
                PLANNING.set(false);
            }
        } catch (IOException | RuntimeException e) {
            return Plan.NONE; // sharing is an optimisation: never a reason to fail a start
        }
    }

    /**
     * System property: when {@code true}, each directory on a child's classpath is replaced by a jar of its
     * current contents (made once per state of the directory, in the archive directory), so that children
     * of a directory classpath (an IDE, {@code mvn exec:java}) get an archive too: the JDK archives classes
     * from jars only. Off by default because the child then sees the directory as it was at launch, as a jar
     * ({@code getResource} gives {@code jar:} URLs, files added later are not seen until the next child).
     */
    static final String DIRECTORIES_PROPERTY = "procshare.cds.directories";
    private static final int SNAPSHOT_MAX_FILES = 20_000;
    private static final long SNAPSHOT_MAX_BYTES = 256L << 20;

    /**
     * {@code classpath} with every directory replaced by a jar snapshot of it in {@code dir}; null if it has
     * no directory, or one too big to copy on a launch ({@value #SNAPSHOT_MAX_FILES} files, 256 MiB), or if
     * {@code dir} is not the user's own.
     */
    static String snapshotDirectories(String classpath, Path workDir, Path dir) throws IOException {
        List<String> entries = new ArrayList<>();
        boolean changed = false;
        for (String entry : classpath.split(File.pathSeparator)) {
            Path path = workDir == null ? Path.of(entry).toAbsolutePath() : workDir.resolve(entry);
            if (entry.isEmpty() || !Files.isDirectory(path)) {
                entries.add(entry);
                continue;
            }
            if (!changed) { // the first directory: snapshots go only where archives may
                ensureDirectory(dir);
                if (!trusted(dir)) {
                    return null;
                }
            }
            Path jar = snapshot(path.normalize(), dir);
            if (jar == null) {
                return null;
            }
            entries.add(jar.toString());
            changed = true;
        }
        return changed ? String.join(File.pathSeparator, entries) : null;
    }

    /** The jar of {@code root}'s current contents, named by their paths, sizes and times; made if missing. */
    private static Path snapshot(Path root, Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        List<Path> folders = new ArrayList<>();
        KeyHash hash = new KeyHash();
        update(hash, root.toString());
        long bytes = 0;
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : (Iterable<Path>) tree.sorted()::iterator) {
                BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class);
                if (attrs.isDirectory()) {
                    if (!p.equals(root)) {
                        folders.add(p);
                    }
                    continue;
                }
                if (!attrs.isRegularFile()) {
                    continue;
                }
                files.add(p);
                bytes += attrs.size();
                if (files.size() > SNAPSHOT_MAX_FILES || bytes > SNAPSHOT_MAX_BYTES) {
                    return null;
                }
                update(hash, root.relativize(p) + "|" + attrs.size() + "|" + attrs.lastModifiedTime().toMillis());
            }
        }
        Path jar = dir.resolve("cp-" + hash.hex() + ".jar");
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        Path temp = dir.resolve(jar.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(temp))) {
            out.setMethod(java.util.jar.JarOutputStream.STORED); // nothing to inflate when a class loads
            for (Path folder : folders) {
                writeEntry(out, root.relativize(folder).toString().replace(File.separatorChar, '/') + "/",
                        new byte[0]);
            }
            for (Path file : files) {
                writeEntry(out, root.relativize(file).toString().replace(File.separatorChar, '/'),
                        Files.readAllBytes(file));
            }
        } catch (IOException | RuntimeException e) {
            delete(temp);
            throw e;
        }
        Files.move(temp, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return jar;
    }

    private static void writeEntry(java.util.jar.JarOutputStream out, String name, byte[] content)
            throws IOException {
        java.util.zip.ZipEntry e = new java.util.zip.ZipEntry(name);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(content);
        e.setSize(content.length);
        e.setCompressedSize(content.length);
        e.setCrc(crc.getValue());
        out.putNextEntry(e);
        out.write(content);
        out.closeEntry();
    }

    /** Creates the archive directory if it is missing (only its user may enter: plans name commands to run). */
    private static void ensureDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (posix(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
    }

    /** Whether none of a child's options (its own and its environment's) sets up sharing of its own. */
    private static boolean sharingPossible(List<String> options) {
        return options.stream().noneMatch(o -> Options.OWN_SHARING.matcher(o).matches());
    }

    /**
     * Whether a child with these options (its own and its environment's) can record an archive: this JVM maps
     * the JDK's own archive (a child of the same {@code java} with the same environment does too; the JDK
     * refuses a recording without it, as in a jlink image without one), and no option rules a recording out.
     */
    private static boolean recordingPossible(List<String> options) {
        return System.getProperty("java.vm.info", "").contains("sharing")
                && options.stream().noneMatch(o -> Options.NO_RECORDING.matcher(o).matches());
    }

    /** The child's JVM options followed by those its environment adds ({@code JAVA_TOOL_OPTIONS} and kin). */
    private static List<String> effectiveOptions(List<String> jvmOptions, Map<String, String> environment) {
        List<String> options = new ArrayList<>(jvmOptions);
        for (String variable : OPTION_VARIABLES) {
            String value = environment.containsKey(variable) ? environment.get(variable) : System.getenv(variable);
            if (value != null && !value.isBlank()) {
                options.addAll(List.of(value.trim().split("\\s+")));
            }
        }
        return options;
    }

    private static Plan training(Path dir, String key, Path archive, String classpath, List<String> jvmOptions,
                                 Path workDir) throws IOException {
        String temp = dir.resolve(key + "." + ProcessHandle.current().pid() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp").toString();
        Path planFile = Path.of(temp + ".plan");
        List<String> plan = new ArrayList<>(List.of(archive.toString(), workDir == null ? "" : workDir.toString(),
                classpath));
        plan.addAll(jvmOptions);
        List<String> options = new ArrayList<>();
        Path vmLog = null;
        if (AOT_CACHE) {
            vmLog = Path.of(temp + ".vm.log");
            options.addAll(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + temp + ".conf",
                    "-XX:+UnlockDiagnosticVMOptions", "-XX:-DisplayVMOutput", "-XX:+LogVMOutput",
                    "-XX:LogFile=" + vmLog, "-Xlog:cds*=off", "-Xlog:aot*=off"));
        } else {
            options.addAll(List.of("-XX:ArchiveClassesAtExit=" + temp, "-Xlog:cds*=off"));
        }
        Files.write(planFile, plan, StandardCharsets.UTF_8);
        options.add("-D" + PLAN_PROPERTY + "=" + planFile);
        return new Plan(List.copyOf(options), vmLog, planFile, null);
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Whether the archive directory can be trusted: absent (it is made private), or ours and writable by
     * nobody else. A plan names a command line the helper runs, and an archive is mapped into every child.
     */
    private static boolean trusted(Path dir) throws IOException {
        if (!Files.isDirectory(dir) || !posix(dir)) {
            return true;
        }
        var perms = Files.getPosixFilePermissions(dir);
        return Files.getOwner(dir).getName().equals(System.getProperty("user.name"))
                && !perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                && !perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
    }

    /** Whether a key's last archive failed lately (then it is not trained again for a while). */
    private static boolean recentlyFailed(Path archive) {
        Path marker = failedMark(archive);
        return Files.exists(marker) && modified(marker) > System.currentTimeMillis() - FAILED_MILLIS;
    }

    /** The failure mark of the key of an archive or a training file (named {@code <key>.<...>}; keys are hex). */
    private static Path failedMark(Path keyed) {
        String name = keyed.getFileName().toString();
        return keyed.resolveSibling(name.substring(0, name.indexOf('.')) + ".failed");
    }

    /** What a training's files are named after: its plan's name without {@code .plan}. */
    private static String trainingPrefix(Path planFile) {
        String plan = planFile.toString();
        return plan.substring(0, plan.length() - ".plan".length());
    }

    /** The mark a training child leaves once it has got going. */
    private static Path started(Path planFile) {
        return Path.of(trainingPrefix(planFile) + ".started");
    }

    /** Whether a child is training this key: its plan is locked, or so new that its child may be starting. */
    private static boolean trainingUnderWay(Path dir, String key) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> {
                String name = f.getFileName().toString();
                return name.startsWith(key + ".") && name.endsWith(".tmp.plan") && planLive(f);
            });
        }
    }

    /** A plan is live while its child holds the lock on it, and for a grace period after it was written. */
    private static boolean planLive(Path plan) {
        if (modified(plan) > System.currentTimeMillis() - GRACE_MILLIS
                || plan.toAbsolutePath().toString().equals(System.getProperty(PLAN_PROPERTY))) {
            return true; // new, or this JVM's own: a second channel's close would drop the lock this JVM holds
        }
        try (FileChannel channel = FileChannel.open(plan, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (IOException | RuntimeException e) {
            return false; // gone, or not ours to lock: nothing is training with it
        }
    }

    /**
     * In a training child, at its start: holds the lock on its plan while this process lives, and when it
     * exits, a helper JVM installs (or, if this JVM did not end well, discards) the archive that this JVM
     * writes as it ends. A hook, not code at the end of main: the parent may terminate a daemon child.
     */
    static void trainWhileAlive(String planFile) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(Path.of(planFile), StandardOpenOption.WRITE);
            if (channel.tryLock() == null) {
                throw new IOException("the plan is locked: not ours");
            }
            Files.createFile(started(Path.of(planFile))); // tells the parent that this JVM got going
            planLock = channel;
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing a channel we cannot use
                }
            }
            return; // pruned, or no locks here: what this JVM writes is removed as a leftover
        }
        Runtime.getRuntime().addShutdownHook(new Thread("procshare-class-archive") { // not a lambda: start path
            @Override
            public void run() {
                try {
                    new ProcessBuilder(Launcher.javaExecutable().toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                            "-Xmx32m", "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"),
                            ChildMain.class.getName(), INSTALL, planFile, ChildMain.taskFailed() ? "discard" : "install")
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
                } catch (IOException | RuntimeException e) {
                    // no archive this time; the plan and the dump are removed as leftovers later
                }
            }
        });
    }

    /**
     * The helper's work: take the plan's lock once the training child has gone (the archive is complete by
     * then), assemble the AOT cache or check that the dynamic archive maps, move a good archive into place,
     * and mark the key failed otherwise. Everything the training left is removed.
     */
    static void install(Path planFile, boolean install) {
        String temp = trainingPrefix(planFile);
        Path archiveTemp = Path.of(temp);
        Path recorded = Path.of(temp + ".conf");
        Path output = Path.of(temp + ".out");
        try (FileChannel channel = FileChannel.open(planFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (!awaitLock(channel) || !install) {
                return;
            }
            List<String> plan = Files.readAllLines(planFile, StandardCharsets.UTF_8);
            Path archive = Path.of(plan.get(0));
            String workDir = plan.get(1);
            String classpath = plan.get(2);
            List<String> userOptions = new ArrayList<>();
            for (String option : plan.subList(3, plan.size())) {
                if (!Options.NOT_FOR_HELPERS.matcher(option).matches()) {
                    userOptions.add(option); // what decides whether an archive fits: heap, GC, modules
                }
            }
            // No crash report or core file in the child's directory (a check that catches a broken archive may
            // crash), no pre-touched heap; these come after the user's options, which they override.
            List<String> quiet = List.of("-XX:ErrorFile=/dev/null", "-XX:-CreateCoredumpOnCrash",
                    "-XX:-AlwaysPreTouch");
            List<String> command = new ArrayList<>(List.of(Launcher.javaExecutable().toString()));
            // AOT: assemble the cache. CDS: a dump cut short (the child killed as it exited) has no valid header,
            // and such an archive would switch sharing off altogether: -Xshare:on refuses to start unless it maps.
            command.addAll(AOT_CACHE ? List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + recorded,
                    "-XX:AOTCache=" + archiveTemp, "-Xlog:cds*=off", "-Xlog:aot*=off")
                    : List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archiveTemp, "-Xlog:cds*=off"));
            command.addAll(userOptions);
            command.addAll(quiet);
            command.addAll(List.of("-cp", classpath));
            if (!AOT_CACHE) {
                command.add("-version");
            }
            String why;
            if (!Files.isRegularFile(AOT_CACHE ? recorded : archiveTemp)) {
                why = "the training run wrote no " + (AOT_CACHE ? "configuration" : "archive");
            } else if (!run(command, workDir, output)) {
                why = "this command failed";
            } else if (!Files.isRegularFile(archiveTemp) || Files.size(archiveTemp) == 0) {
                why = "this command wrote no cache";
            } else {
                Files.move(archiveTemp, archive, StandardCopyOption.ATOMIC_MOVE);
                return;
            }
            // Why, for whoever wonders why children of this key start without an archive for a day.
            String said = Files.isRegularFile(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
            Files.writeString(failedMark(archive), why + ":\n" + String.join(" ", command) + "\n"
                    + said.substring(Math.max(0, said.length() - 4096)), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            // no archive this time
        } finally {
            delete(output);
            delete(archiveTemp);
            delete(recorded);
            delete(planFile); // before the start mark: the parent takes "plan but no mark" for a failed start
            delete(started(planFile));
        }
    }

    /** Takes the plan's lock, which the training child holds until its process has ended; false after 2 min. */
    private static boolean awaitLock(FileChannel channel) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (channel.tryLock() != null) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return false;
            }
        }
        return false;
    }

    /**
     * Runs a helper command in {@code workDir} (empty: here), its output to {@code output}; whether it
     * finished in time with exit code 0.
     */
    private static boolean run(List<String> command, String workDir, Path output) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(output.toFile()).redirectErrorStream(true);
        if (!workDir.isEmpty()) {
            builder.directory(new File(workDir)); // relative classpath entries mean what they meant to the child
        }
        Process process = builder.start();
        try {
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly().waitFor();
                return false;
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return false;
        }
        return process.exitValue() == 0;
    }

    /**
     * What the VM printed, from its log: the text directly inside the tty element, without the elements
     * nested in it (statistics and code blobs, which the VM writes to the log only) and without the AOT
     * recording notice.
     */
    static String vmOutput(List<String> log) {
        StringBuilder out = new StringBuilder();
        boolean inTty = false;
        int depth = 0;
        for (String line : log) {
            if (!inTty) {
                inTty = line.startsWith("<tty>");
            } else if (line.startsWith("</tty>")) {
                inTty = false;
            } else if (line.startsWith("</")) {
                depth = Math.max(0, depth - 1);
            } else if (line.startsWith("<")) {
                if (!line.endsWith("/>")) {
                    depth++;
                }
            } else if (depth == 0 && !line.contains("AOTConfiguration recorded")) {
                out.append(line.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                        .replace("&apos;", "'").replace("&amp;", "&")).append(System.lineSeparator());
            }
        }
        return out.toString();
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0L;
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static Path directory() {
        String configured = System.getProperty("procshare.cds.dir");
        return configured != null ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "procshare", "cds");
    }

    /** A hash of the JDK and the classpath jars, or null if the classpath holds anything but jar files. */
    private static String key(String classpath, List<String> jvmOptions, Path workDir) throws IOException {
        KeyHash digest = new KeyHash();
        update(digest, System.getProperty("java.home"));
        update(digest, System.getProperty("java.vm.version"));
        for (String option : jvmOptions) {
            update(digest, option);
        }
        for (String entry : classpath.split(File.pathSeparator)) {
            Path jar = workDir == null ? Path.of(entry).toAbsolutePath() : workDir.resolve(entry);
            if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
                return null;
            }
            BasicFileAttributes attrs = Files.readAttributes(jar, BasicFileAttributes.class);
            update(digest, jar + "|" + attrs.size() + "|" + attrs.lastModifiedTime().toMillis());
        }
        return digest.hex();
    }

    private static void update(KeyHash digest, String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            digest.update(b);
        }
        digest.update((byte) 0);
    }

    /**
     * 96 bits of two independent 64-bit hashes (FNV-1a, and a multiply-rotate one), for archive names. Not
     * a {@code MessageDigest}: a JVM's first one loads the security providers, 30-40 ms of every cold parent's
     * first child here; the names need no resistance to forgery (the cache directory is the user's own, and
     * the JVM checks an archive against its classpath before it maps it).
     */
    private static final class KeyHash {
        private long fnv = 0xcbf29ce484222325L;
        private long mix = 0x9E3779B97F4A7C15L;

        void update(byte b) {
            fnv = (fnv ^ (b & 0xFF)) * 0x100000001b3L;
            mix = Long.rotateLeft((mix ^ (b & 0xFF)) * 0xC2B2AE3D27D4EB4FL, 31);
        }

        String hex() {
            long m = mix ^ (mix >>> 33);
            m *= 0xFF51AFD7ED558CCDL;
            m ^= m >>> 33;
            String low = Long.toHexString((m >>> 32) | 1L << 32).substring(1); // 8 digits
            String high = Long.toHexString(fnv);
            return "0".repeat(16 - high.length()) + high + low;
        }
    }

    /**
     * Keeps the newest archives only (keys change with every rebuilt jar), and removes what training runs
     * left behind: plans no child holds any more (a child killed, a helper killed midway, a child whose JDK
     * refused to start) with their files, and failure marks older than a day.
     */
    private static void prune(Path dir) throws IOException {
        List<Path> archives = new ArrayList<>();
        List<String> livePrefixes = new ArrayList<>();
        List<Path> temporaries = new ArrayList<>();
        List<Path> snapshots = new ArrayList<>();
        long now = System.currentTimeMillis();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".jsa") || name.endsWith(".aot")) {
                    archives.add(f);
                } else if (name.startsWith("cp-") && name.endsWith(".jar")) {
                    snapshots.add(f);
                } else if (name.endsWith(".failed")) {
                    if (modified(f) < now - FAILED_MILLIS) {
                        delete(f);
                    }
                } else if (name.endsWith(".tmp.plan") && planLive(f)) {
                    livePrefixes.add(trainingPrefix(f.getFileName()));
                } else if (name.contains(".tmp")) {
                    temporaries.add(f);
                }
            }
        }
        for (Path f : temporaries) {
            String name = f.getFileName().toString();
            if (livePrefixes.stream().noneMatch(name::startsWith) && modified(f) < now - GRACE_MILLIS) {
                delete(f);
            }
        }
        keepNewest(archives);
        keepNewest(snapshots); // a running child keeps its open jar readable even so (it is unlinked, not changed)
    }

    private static void keepNewest(List<Path> files) throws IOException {
        if (files.size() < KEEP_ARCHIVES) {
            return;
        }
        files.sort(Comparator.comparing(ClassDataSharing::modified).reversed());
        for (Path old : files.subList(KEEP_ARCHIVES - 1, files.size())) {
            Files.deleteIfExists(old);
        }
    }
}
