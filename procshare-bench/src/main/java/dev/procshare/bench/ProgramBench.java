package dev.procshare.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * The seed note's three programs as whole processes, start to exit, next to the same programs in Python:
 * what a user times with {@code time java ...} and {@code time python3 ...}. Each program is the examples'
 * class on the Java side ({@code SharedFlagDemo}, {@code NamespacePoolDemo}, {@code RegisteredClassDemo}) and
 * a script doing the same steps on the Python side. Runs take turns between Java, Python and the floor so that
 * all see the same machine; output is discarded, a non-zero exit fails the benchmark.
 *
 * <p>Next to them, each program's floor: {@link JvmFloor} with the program's JVMs, each running an empty
 * {@code main}, in the order the program needs them (seed 1: a parent and one child; seed 2: a parent, its
 * manager's server and the pool's first worker booting side by side; seed 3: a parent, its server and the
 * viewer side by side, then the modifier, and the 0.45 s of sleeps). No program with a fresh JVM per process
 * can finish below that; where it is above Python's time, the JVM's start alone puts Python ahead.
 *
 * <p>The Java programs run as a user runs them: {@code java -cp <jar> <main>}, no JVM flags, on the JDK that
 * runs this benchmark, from a jar of procshare and the examples only ({@link #programClasspath}). One
 * unmeasured run of each comes first on both sides: it fills the OS page cache, and
 * on the Java side it trains procshare's class-data archive for children (a new jar trains once).
 */
final class ProgramBench {
    /** Seed 3 sleeps 4.5 viewer intervals on both sides; a short interval keeps the start-up visible. */
    static final String SEED3_INTERVAL_SECONDS = "0.1";

    private ProgramBench() {
    }

    /** {@code floor}: the {@link JvmFloor} stages of the program's JVMs. */
    record Program(String title, String javaMain, String pythonScript, List<String> args, List<String> floor) {
    }

    static final List<Program> PROGRAMS = List.of(
            new Program("seed 1: a shared `Value` flag set by a daemon child `ttt`",
                    "dev.procshare.examples.SharedFlagDemo", "seed1_shared_flag.py", List.of(),
                    List.of("1")),
            new Program("seed 2: `Manager` + `Namespace` + `Pool(4)`, two maps",
                    "dev.procshare.examples.NamespacePoolDemo", "seed2_namespace_pool.py", List.of(),
                    List.of("2")),
            new Program("seed 3: a registered class, viewer + modifier processes (interval "
                    + SEED3_INTERVAL_SECONDS + " s: 0.45 s of sleeps)",
                    "dev.procshare.examples.RegisteredClassDemo", "seed3_registered_class.py",
                    List.of(SEED3_INTERVAL_SECONDS), List.of("2", "1", "s450")));

    /**
     * {java medians, python medians, floor medians} in ms, one entry per program, over {@code runs} runs of
     * each, taking turns.
     */
    static double[][] medians(int runs) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("procshare-seed-bench");
        String interpreter = pythonInterpreter();
        try {
            String classpath = programClasspath(System.getProperty("java.class.path"), dir);
            double[][] out = new double[3][PROGRAMS.size()];
            for (int p = 0; p < PROGRAMS.size(); p++) {
                Program program = PROGRAMS.get(p);
                Path script = dir.resolve(program.pythonScript());
                try (InputStream in = ProgramBench.class.getResourceAsStream("seed/" + program.pythonScript())) {
                    Files.write(script, in.readAllBytes());
                }
                List<String> java = new ArrayList<>(List.of(javaExecutable(), "-cp", classpath,
                        program.javaMain()));
                java.addAll(program.args());
                List<String> python = new ArrayList<>(List.of(interpreter, script.toString()));
                python.addAll(program.args());
                List<String> floor = new ArrayList<>(List.of(javaExecutable(), "-cp", classpath,
                        JvmFloor.class.getName()));
                floor.addAll(program.floor());
                timeMs(java);  // unmeasured: trains the children's class archive, fills the page cache
                timeMs(python);
                timeMs(floor);
                List<Double> javaMs = new ArrayList<>();
                List<Double> pythonMs = new ArrayList<>();
                List<Double> floorMs = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    javaMs.add(timeMs(java));
                    pythonMs.add(timeMs(python));
                    floorMs.add(timeMs(floor));
                }
                out[0][p] = median(javaMs);
                out[1][p] = median(pythonMs);
                out[2][p] = median(floorMs);
            }
            return out;
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /**
     * The classpath the programs run with: one jar of procshare and its examples (and {@link JvmFloor}), as a
     * user's application jar holds their code and procshare, when this benchmark runs from jars. The
     * benchmarks jar also holds JMH, Redisson and Netty (24 MB, thousands of entries): opening it cost each
     * JVM of a program 10-20 ms here, seed 2 as a whole about 40 ms. A classpath {@code own} with a directory
     * is used as it is; so is one whose jars hold none of procshare's classes.
     */
    static String programClasspath(String own, Path dir) throws IOException {
        Path slim = dir.resolve("seed-programs.jar");
        Set<String> copied = new HashSet<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(slim))) {
            for (String entry : own.split(File.pathSeparator)) {
                if (!entry.endsWith(".jar") || !Files.isRegularFile(Path.of(entry))) {
                    return own;
                }
                try (JarFile jar = new JarFile(entry)) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        JarEntry from = e.nextElement();
                        if (programClass(from.getName()) && copied.add(from.getName())) {
                            out.putNextEntry(new JarEntry(from.getName()));
                            try (InputStream in = jar.getInputStream(from)) {
                                in.transferTo(out);
                            }
                            out.closeEntry();
                        }
                    }
                }
            }
        }
        return copied.isEmpty() ? own : slim.toString();
    }

    /** procshare's classes and the examples', not the Redis backend (its service file stays out too). */
    private static boolean programClass(String name) {
        return name.startsWith("dev/procshare/") && name.endsWith(".class") && !name.startsWith("dev/procshare/redis/")
                && (!name.startsWith("dev/procshare/bench/") || name.startsWith("dev/procshare/bench/JvmFloor"));
    }

    /**
     * The interpreter {@code python3} runs, by its own path: a {@code python3} on the PATH may be a launcher
     * script (pyenv's shims are bash scripts, ~100 ms here) that a user's own timing of Python would not pay.
     */
    static String pythonInterpreter() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
            return "python3";
        }
        return out;
    }

    /**
     * Wall time of one whole process, from start to its exit (output discarded, errors kept in a file so that a
     * failure can say why); fails on a non-zero exit.
     */
    static double timeMs(List<String> command) throws IOException, InterruptedException {
        Path errors = Files.createTempFile("procshare-program-", ".err");
        try {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(errors.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException("did not finish within 120 s: " + command + tail(errors));
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            if (p.exitValue() != 0) {
                throw new IllegalStateException("exit code " + p.exitValue() + " from " + command + tail(errors));
            }
            return ms;
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    private static String tail(Path errors) throws IOException {
        String text = Files.readString(errors);
        return text.isEmpty() ? "" : "; its standard error ends:\n" + text.substring(Math.max(0, text.length() - 4000));
    }

    static String report(int runs, String pythonVersion, String placement) throws IOException, InterruptedException {
        double[][] m = medians(runs);
        StringBuilder t = new StringBuilder();
        t.append("| whole program, start to exit | its JVMs, empty (floor) | Python multiprocessing | procshare "
                        + "| ratio (higher: procshare better) |\n")
                .append("|---|---:|---:|---:|---:|\n");
        for (int p = 0; p < PROGRAMS.size(); p++) {
            t.append("| ").append(PROGRAMS.get(p).title()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f ms", m[2][p])).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f ms", m[1][p])).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f ms", m[0][p])).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f×", m[1][p] / m[0][p])).append(" |\n");
        }
        return "Whole seed programs vs Python " + pythonVersion + " (start method fork, Linux's default), Java "
                + Runtime.version() + " (plain `java -cp` of a jar holding procshare and the examples), " + placement
                + ", median of " + runs
                + " runs each, taking turns. The floor is the same program's JVMs running empty mains "
                + "(`JvmFloor`): no program with a fresh JVM per process finishes below it.\n\n" + t;
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
