package dev.procshare.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code procshare bench}: runs the benchmark module's side-by-side comparison ({@code benchmarks.jar}) in
 * its own JVM, so that JMH and the benchmark code stay out of the library and the command.
 */
final class BenchCommand {
    static final String HELP = """
            usage: procshare bench [memory|process|manager|queue|programs] [--quick] [--out DIR]

            Runs the side-by-side benchmarks against Python's multiprocessing (python3 must be installed):
            shared memory, processes and pools, the manager, queues (one producer process to one consumer),
            and the seed's three programs as whole processes (start to exit); all five by default. Shows progress, prints each
            table with ratios, and writes DIR/<name>.md and a bar chart DIR/<name>.svg (DIR: bench-results).
            --quick runs a few seconds each (a smoke test; its figures mean nothing). A full run takes
            about 10 minutes on 2 cores.
            """;

    private BenchCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (Procshare.wantsHelp(args, out, HELP)) {
            return 0;
        }
        List<String> passed = new ArrayList<>();
        String outDir = "bench-results";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                outDir = args[++i];
            } else if (List.of("memory", "process", "manager", "queue", "programs", "--quick").contains(args[i])) {
                passed.add(args[i]);
            } else {
                throw new Procshare.UsageException("bench: unknown argument '" + args[i] + "'");
            }
        }
        Path jar = benchmarksJar();
        if (jar == null) {
            err.println("procshare: benchmarks.jar not found; build it with: mvn -B -q -DskipTests package");
            return 1;
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dprocshare.bench.out=" + outDir, "-jar", jar.toString(), "side-by-side"));
        command.addAll(passed);
        Process p = new ProcessBuilder(command).inheritIO().start();
        int code = p.waitFor();
        return code == 0 ? 0 : 1;
    }

    /** {@code procshare-bench/target/benchmarks.jar} beside this command's module, or in the working directory. */
    static Path benchmarksJar() {
        List<Path> candidates = new ArrayList<>();
        try {
            Path self = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // .../procshare-cli/target/procshare-cli.jar or .../procshare-cli/target/classes
            Path module = self.getParent() == null ? null : self.getParent().getParent();
            if (module != null && module.getParent() != null) {
                candidates.add(module.getParent().resolve("procshare-bench/target/benchmarks.jar"));
            }
        } catch (Exception ignored) {
            // fall back to the working directory
        }
        candidates.add(Path.of("procshare-bench/target/benchmarks.jar"));
        candidates.add(Path.of("../procshare-bench/target/benchmarks.jar"));
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                return c.toAbsolutePath().normalize();
            }
        }
        return null;
    }
}
