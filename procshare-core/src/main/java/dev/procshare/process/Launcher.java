package dev.procshare.process;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Starts a child JVM running {@link ChildMain} and waits until it has connected back. */
final class Launcher {
    /** How a child's standard output and error are handled. */
    enum OutputMode { INHERIT, FILE, CAPTURE }

    /** Everything about how to start one JVM; the defaults make a JVM a warm pool can stand in for. */
    record Spec(List<String> jvmOptions, String classpath, Map<String, String> environment, Path directory,
                OutputMode output, Path outputFile, boolean watchParent, byte[] initializer,
                Duration connectTimeout) {

        static Spec defaults() {
            return new Spec(List.of(), null, Map.of(), null, OutputMode.INHERIT, null, true, null,
                    Duration.ofSeconds(60));
        }

        boolean isDefault() {
            return jvmOptions.isEmpty() && classpath == null && environment.isEmpty() && directory == null
                    && output == OutputMode.INHERIT && watchParent && initializer == null;
        }
    }

    private static final String SELECTOR_PROVIDER = "java.nio.channels.spi.SelectorProvider";

    private Launcher() {
    }

    static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /**
     * Starts a JVM that connects back, runs the initializer if any, and reports ready; it then serves jobs
     * sent over its channel (pool workers, warm JVMs). Fails at once if the child exits before that.
     *
     * @throws RemoteTaskException if the initializer threw in the child
     * @throws IllegalStateException if the child cannot be started or does not connect in time
     */
    static ChildConnection launch(Spec spec) {
        return launch(spec, null);
    }

    /**
     * {@link #launch(Spec)}, telling {@code started} the process as soon as it exists, before it has connected:
     * whoever started it may kill it while it boots (a pool that shuts down with nothing left to run).
     */
    static ChildConnection launch(Spec spec, java.util.function.Consumer<Process> started) {
        ControlServer server = ControlServer.get();
        ControlServer.Expected expected = server.expect();
        Process process = start(spec);
        if (started != null) {
            started.accept(process);
        }
        ChildConnection connection = null;
        try {
            writeLaunch(process, spec, server, expected.token(), null, null);
            CompletableFuture.anyOf(expected.connection(), process.onExit())
                    .get(spec.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!expected.connection().isDone()) {
                throw new IOException("it exited before connecting");
            }
            connection = new ChildConnection(process, expected.connection().join(), process.getOutputStream(), null);
            Messages.Outcome ready = Messages.Outcome.decode(connection.receiveFrame());
            if (ready.status() == Messages.INIT_FAILED) {
                connection.kill();
                throw new RemoteTaskException("the initializer failed in child JVM (pid " + process.pid() + "): "
                        + ready.error(), ready.error());
            }
            return connection;
        } catch (IOException | ExecutionException | TimeoutException | ClassNotFoundException
                 | java.util.concurrent.CancellationException e) {
            server.forget(expected);
            if (connection != null) {
                connection.kill();
            }
            process.destroyForcibly();
            int code = waitBriefly(process);
            throw new IllegalStateException("child JVM (pid " + process.pid() + ") did not start"
                    + (code >= 0 ? ": it exited with " + code + " (see its output for why)" : " within "
                    + spec.connectTimeout() + ": " + e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.forget(expected);
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while starting a child JVM", e);
        }
    }

    /**
     * Starts a JVM that runs one job, given with its launch, and writes the outcome to a private file: no
     * round trip and no socket, which is most of what a cold start costs beyond the JVM's own start.
     */
    static ChildConnection launchOneShot(Spec spec, Messages.Job job) {
        return oneShot(prelaunch(spec), spec, job);
    }

    /**
     * Starts a JVM with {@code spec} without telling it anything yet: it boots and then waits for its launch
     * record on standard input, which {@link #oneShot} writes. The pipe holds the record, so it may be given
     * its job at any time, even before it has finished booting.
     */
    static Process prelaunch(Spec spec) {
        ControlServer.get(); // its shutdown hook ends this JVM's children, and its directory takes the outcome
        return start(spec);
    }

    /** Gives {@code process}, from {@link #prelaunch}{@code (spec)}, its one job. */
    static ChildConnection oneShot(Process process, Spec spec, Messages.Job job) {
        try {
            return tryOneShot(process, spec, job);
        } catch (IOException e) {
            // The child died at once; its exit code tells why, and JvmProcess reports it.
            return connection(process, null);
        }
    }

    /** {@link #oneShot}, failing if the launch record cannot be written (the JVM has died). */
    static ChildConnection tryOneShot(Process process, Spec spec, Messages.Job job) throws IOException {
        ControlServer server = ControlServer.get();
        String token = server.newToken(); // names the outcome file; no connection is expected
        Path outcome = server.outcomeFile(token);
        writeLaunch(process, spec, server, token, job, outcome);
        return connection(process, outcome);
    }

    private static ChildConnection connection(Process process, Path outcome) {
        try {
            return new ChildConnection(process, null, process.getOutputStream(), outcome);
        } catch (IOException e) {
            throw new AssertionError("no channel to set up", e);
        }
    }

    private static Process start(Spec spec) {
        String classpath = spec.classpath() != null ? spec.classpath() : System.getProperty("java.class.path");
        ClassDataSharing.Plan sharing = ClassDataSharing.plan(classpath, spec.jvmOptions(), spec.directory(),
                spec.environment(), spec.output() == OutputMode.INHERIT);
        List<String> command = new ArrayList<>();
        command.add(javaExecutable().toString());
        command.addAll(sharing.options());
        // No hsperfdata file: creating it at start and removing it at exit cost ~2.5 ms of every child's
        // start + exit here. It only serves jps/jstat listings; -XX:+UsePerfData in the options brings it back
        // (the last occurrence of a -XX flag wins).
        command.add("-XX:-UsePerfData");
        String selectors = spec.classpath() == null ? jdkSelectorProvider() : null;
        if (selectors != null) {
            command.add("-D" + SELECTOR_PROVIDER + "=" + selectors);
        }
        command.addAll(spec.jvmOptions());
        command.add("-cp");
        command.add(sharing.classpathOr(classpath));
        command.add(ChildMain.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(spec.environment());
        if (spec.directory() != null) {
            builder.directory(spec.directory().toFile());
        }
        switch (spec.output()) {
            case INHERIT -> builder.redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            case FILE -> {
                File file = spec.outputFile().toFile();
                builder.redirectOutput(ProcessBuilder.Redirect.appendTo(file)).redirectErrorStream(true);
            }
            case CAPTURE -> builder.redirectErrorStream(true);
        }
        try {
            Process process = builder.start();
            process.onExit().thenRun(sharing::childExited);
            return process;
        } catch (IOException e) {
            sharing.childExited();
            throw new IllegalStateException("cannot start a child JVM: " + command + ": " + e.getMessage(), e);
        }
    }

    /**
     * The class of this JVM's own selector provider if it is the JDK's (children run the same {@code java}),
     * else null. Naming it saves a child's first socket a {@code ServiceLoader} search of the classpath and
     * the JDK's modules: 4-5 ms of a fresh JVM, measured here on JDK 17 and 25, for a manager's JVM a
     * tenth of its start. Only for children with this JVM's classpath: a provider installed by the
     * application (found here, so not the JDK's) or by another classpath is left to the child's own search.
     */
    private static String jdkSelectorProvider() {
        Class<?> provider = java.nio.channels.spi.SelectorProvider.provider().getClass();
        return provider.getModule() == Object.class.getModule() ? provider.getName() : null;
    }

    private static void writeLaunch(Process process, Spec spec, ControlServer server, String token,
                                    Messages.Job job, Path outcome) throws IOException {
        Messages.Launch launch = new Messages.Launch(ProcessHandle.current().pid(), process.pid(),
                spec.watchParent(), server.socket().toString(), token, spec.initializer(),
                InheritedContext.snapshot(), job, outcome == null ? null : outcome.toString());
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(process.getOutputStream()));
        launch.writeTo(out);
        out.flush();
    }

    private static int waitBriefly(Process process) {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
