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
 * slower). Only for classpaths of jar files: the JDK refuses directories. Not when the child's options hold
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
 * by then, as a program that starts one manager and ends does): the child's shutdown hook starts a small
 * helper JVM ({@link ChildMain} with {@link #INSTALL}) that waits until the child has gone, assembles the
 * AOT cache if there is one to assemble, checks it succeeded, and moves the archive into place atomically.
 * What a killed helper leaves behind is removed by the next JVM that plans a training run.
 */
final class ClassDataSharing {
    /** ChildMain's first argument in a helper that installs an archive. */
    static final String INSTALL = "--procshare-install-class-archive";
    /** Set in a training child: the file that says how to install its archive. */
    static final String PLAN_PROPERTY = "procshare.cds.plan";
    private static final AtomicBoolean PLANNING = new AtomicBoolean();
    private static final int KEEP_ARCHIVES = 20;
    /** A training run whose plan is younger is taken to be still under way; older leftovers are removed. */
    private static final long TRAINING_MILLIS = TimeUnit.MINUTES.toMillis(3);
    /** JDK 25's AOT cache instead of a dynamic CDS archive (the options used here are JDK 25's). */
    private static final boolean AOT_CACHE = Runtime.version().feature() >= 25;
    /** Options with which the JDK refuses to start a JVM that also records or uses our archive. */
    private static final Pattern OWN_SHARING = Pattern.compile("-Xshare.*|-XX:[+-]?(SharedArchiveFile|"
            + "ArchiveClassesAtExit|AutoCreateSharedArchive|DumpLoadedClassList|SharedClassListFile|UseSharedSpaces|"
            + "AOT).*");

    private ClassDataSharing() {
    }

    /**
     * What to do for one launch: JVM options, and (for an AOT training run) the log of its VM output to
     * repeat when it has exited.
     */
    record Plan(List<String> options, Path vmLog) {
        static final Plan NONE = new Plan(List.of(), null);

        /** Called when the child has exited: what its VM printed, less the recording notice, is repeated. */
        void childExited() {
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
     * The plan for a child with this classpath, these JVM options and this working directory (null: ours).
     * The options are part of the archive's key: a child with other options usually does other work (a manager
     * server, a pool worker with a bigger heap) and loads other classes, and some options (heap, GC) decide
     * whether an archive fits.
     */
    static Plan plan(String classpath, List<String> jvmOptions, Path directory) {
        if (!Boolean.parseBoolean(System.getProperty("procshare.cds", "true"))
                || jvmOptions.stream().anyMatch(o -> OWN_SHARING.matcher(o).matches())) {
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
                        : List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off"), null);
            }
            if (!PLANNING.compareAndSet(false, true)) {
                return Plan.NONE; // another thread of this JVM is planning one
            }
            try {
                Files.createDirectories(dir);
                prune(dir);
                if (trainingUnderWay(dir, key)) {
                    return Plan.NONE; // this or another JVM's child is writing it
                }
                return training(dir, key, archive, classpath, jvmOptions, directory);
            } finally {
                PLANNING.set(false);
            }
        } catch (IOException | RuntimeException e) {
            return Plan.NONE; // sharing is an optimisation: never a reason to fail a start
        }
    }

    private static Plan training(Path dir, String key, Path archive, String classpath, List<String> jvmOptions,
                                 Path directory) throws IOException {
        String temp = dir.resolve(key + "." + ProcessHandle.current().pid() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp").toString();
        Path planFile = Path.of(temp + ".plan");
        List<String> plan = new ArrayList<>(List.of(archive.toString(), temp,
                directory == null ? "" : directory.toString()));
        List<String> options = new ArrayList<>();
        Path vmLog = null;
        if (AOT_CACHE) {
            String recorded = temp + ".conf";
            vmLog = Path.of(temp + ".vm.log");
            plan.add(recorded);
            plan.addAll(List.of(Launcher.javaExecutable().toString(), "-XX:AOTMode=create",
                    "-XX:AOTConfiguration=" + recorded, "-XX:AOTCache=" + temp, "-Xlog:cds*=off", "-Xlog:aot*=off"));
            for (String option : jvmOptions) {
                // what decides whether a cache fits (heap, GC, modules), not where the program logs
                if (option.startsWith("-X") && !option.startsWith("-Xlog") && !option.startsWith("-XX:LogFile")
                        || option.startsWith("--")) {
                    plan.add(option);
                }
            }
            plan.addAll(List.of("-cp", classpath));
            options.addAll(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + recorded,
                    "-XX:+UnlockDiagnosticVMOptions", "-XX:-DisplayVMOutput", "-XX:+LogVMOutput",
                    "-XX:LogFile=" + vmLog, "-Xlog:cds*=off", "-Xlog:aot*=off"));
        } else {
            plan.add("");
            options.addAll(List.of("-XX:ArchiveClassesAtExit=" + temp, "-Xlog:cds*=off"));
        }
        Files.write(planFile, plan, StandardCharsets.UTF_8);
        options.add("-D" + PLAN_PROPERTY + "=" + planFile);
        return new Plan(List.copyOf(options), vmLog);
    }

    /** Whether a plan for this key was written lately (its child, or the helper, is still at work). */
    private static boolean trainingUnderWay(Path dir, String key) throws IOException {
        long now = System.currentTimeMillis();
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> {
                String name = f.getFileName().toString();
                return name.startsWith(key + ".") && name.endsWith(".tmp.plan") && modified(f) > now - TRAINING_MILLIS;
            });
        }
    }

    /**
     * In a training child: when it exits, a helper JVM installs the archive that this JVM writes as it ends.
     * A hook, not code at the end of main: a task may end its JVM with System.exit, or the parent terminate it.
     */
    static void installWhenDone() {
        String planFile = System.getProperty(PLAN_PROPERTY);
        if (planFile == null) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread("procshare-class-archive") { // not a lambda: start path
            @Override
            public void run() {
                try {
                    new ProcessBuilder(Launcher.javaExecutable().toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                            "-Xmx32m", "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"),
                            ChildMain.class.getName(), INSTALL, planFile, Long.toString(ProcessHandle.current().pid()))
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
                } catch (IOException | RuntimeException e) {
                    // no archive this time; the plan and the dump are removed as leftovers later
                }
            }
        });
    }

    /**
     * The helper's work: wait until the training child {@code pid} has exited, assemble the AOT cache if the
     * plan says so, and move a complete archive into place. Everything the training left is removed.
     */
    static void install(Path planFile, long pid) {
        List<String> plan;
        try {
            plan = Files.readAllLines(planFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return;
        }
        Path archive = Path.of(plan.get(0));
        Path temp = Path.of(plan.get(1));
        Path recorded = plan.get(3).isEmpty() ? null : Path.of(plan.get(3));
        try {
            ProcessHandle.of(pid).ifPresent(child -> {
                try {
                    child.onExit().get(2, TimeUnit.MINUTES);
                } catch (Exception e) {
                    throw new IllegalStateException("the training child did not exit", e);
                }
            });
            boolean complete;
            if (recorded == null) {
                complete = Files.isRegularFile(temp) && Files.size(temp) > 0;
            } else {
                complete = Files.isRegularFile(recorded) && Files.size(recorded) > 0 && assemble(plan, temp);
            }
            if (complete) {
                Files.move(temp, archive, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException | RuntimeException e) {
            // no archive this time: the next child of this key trains again
        } finally {
            delete(temp);
            if (recorded != null) {
                delete(recorded);
            }
            delete(planFile);
        }
    }

    /** Runs the plan's create command; whether it finished in time, succeeded and wrote {@code temp}. */
    private static boolean assemble(List<String> plan, Path temp) throws IOException {
        ProcessBuilder create = new ProcessBuilder(plan.subList(4, plan.size()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true);
        if (!plan.get(2).isEmpty()) {
            create.directory(new File(plan.get(2))); // relative classpath entries mean what they meant to the child
        }
        Process process = create.start();
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
        return process.exitValue() == 0 && Files.isRegularFile(temp) && Files.size(temp) > 0;
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

    /**
     * Keeps the newest archives only (keys change with every rebuilt jar), and removes what training runs
     * left behind: a helper killed midway, or a child whose JDK refused to start.
     */
    private static void prune(Path dir) throws IOException {
        List<Path> archives = new ArrayList<>();
        long stale = System.currentTimeMillis() - TRAINING_MILLIS;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".jsa") || name.endsWith(".aot")) {
                    archives.add(f);
                } else if (name.contains(".tmp") && modified(f) < stale) {
                    delete(f);
                }
            }
        }
        if (archives.size() < KEEP_ARCHIVES) {
            return;
        }
        archives.sort(Comparator.comparing(ClassDataSharing::modified).reversed());
        for (Path old : archives.subList(KEEP_ARCHIVES - 1, archives.size())) {
            Files.deleteIfExists(old);
        }
    }
}
