package dev.procshare.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A task running in a child JVM: Python's {@code multiprocessing.Process}.
 *
 * <pre>{@code
 * try (SharedBoolean done = SharedBoolean.create(false)) {
 *     JvmProcess child = JvmProcess.builder().name("ttt").daemon(true)
 *             .target(() -> Runner.runTask(done))   // `done` travels as a handle and re-attaches
 *             .start();
 *     child.join();
 *     boolean seen = done.get();                   // the child's write is visible here
 * }
 * }</pre>
 *
 * <p><b>Arguments and results.</b> The target is a serializable lambda; what it captures travels with it
 * (shared-memory handles and manager proxies re-attach in the child; other values are copied). A capture
 * that cannot be serialized fails {@link Builder#start()} with {@link UnserializableTaskException} naming
 * it. The task, and an inherited context, go over a private channel (standard input and a Unix socket only
 * this user can open), never the command line. A {@link Builder#call callable}'s result comes back the same
 * way; an exception in the child comes back as a {@link RemoteTaskException} carrying the child's stack trace.
 *
 * <p><b>Exit codes.</b> 0 when the target returned; 1 when it threw; {@code n} after {@code System.exit(n)};
 * {@code 128 + signal} when killed by a signal (143 after {@link #terminate()}, 137 after {@link #kill()});
 * {@value ChildMain#ORPHANED} when the child exited because its parent died. Once the target is done the child
 * ends: its shutdown hooks run, and threads the target left running (daemon or not) do not keep it alive.
 *
 * <p><b>Lifetime.</b> A child watches its parent: if the parent dies, even by kill -9, the child exits
 * within moments, unless started {@linkplain Builder#detached(boolean) detached}. When the parent exits
 * normally, daemon children are terminated and the exit waits for non-daemon ones (as Python does).
 */
public final class JvmProcess implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<JvmProcess> LIVE = ConcurrentHashMap.newKeySet();

    private final String name;
    private final boolean daemon;
    private final boolean detached;
    private final ChildConnection child;
    private final CompletableFuture<Messages.Outcome> outcome = new CompletableFuture<>();
    private final StringBuffer captured;

    private JvmProcess(String name, boolean daemon, boolean detached, ChildConnection child, boolean capture) {
        this.name = name;
        this.daemon = daemon;
        this.detached = detached;
        this.child = child;
        this.captured = capture ? new StringBuffer() : null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The process this code runs in: in a child started by procshare, its name, pid and parent; elsewhere
     * {@code "MainProcess"}.
     */
    public static ProcessInfo current() {
        ProcessInfo info = ChildMain.current();
        if (info != null) {
            return info;
        }
        ProcessHandle self = ProcessHandle.current();
        return new ProcessInfo("MainProcess", self.pid(),
                self.parent().map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty()), false);
    }

    /**
     * Keeps {@code count} pre-started idle JVMs ready for {@linkplain Builder#warm(boolean) warm} starts
     * (default 1, or the system property {@code procshare.warm.size}); 0 stops keeping any.
     */
    public static void keepWarm(int count) {
        WarmJvms.keep(count);
    }

    public String name() {
        return name;
    }

    public boolean isDaemon() {
        return daemon;
    }

    public long pid() {
        return child.pid();
    }

    public boolean isAlive() {
        return child.process.isAlive();
    }

    /** Empty while running; then the exit code (see the class comment for the convention). */
    public OptionalInt exitCode() {
        return child.process.isAlive() ? OptionalInt.empty() : OptionalInt.of(child.process.exitValue());
    }

    /** Waits for the process to end. */
    public void join() throws InterruptedException {
        child.process.waitFor();
    }

    /** Waits at most {@code timeout}; returns whether the process has ended. */
    public boolean join(Duration timeout) throws InterruptedException {
        return child.process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Waits for the target to finish and returns the callable's result (null for a runnable).
     *
     * @throws RemoteTaskException if the target threw (the cause is the child's exception)
     * @throws WorkerDiedException if the child ended without a result (killed, {@code System.exit}, crash)
     */
    public <T> T result() throws InterruptedException {
        try {
            return unwrap(outcome.get());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Like {@link #result()}, waiting at most {@code timeout}. */
    public <T> T result(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return unwrap(outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T unwrap(Messages.Outcome o) {
        if (o == null) {
            int code = child.exitCode(5_000);
            throw new WorkerDiedException("process '" + name + "' (pid " + pid() + ") ended with exit code " + code
                    + " before returning a result", pid(), code);
        }
        if (o.error() != null) {
            throw new RemoteTaskException("task in process '" + name + "' (pid " + pid() + ") failed: "
                    + o.error(), o.error());
        }
        return (T) o.value();
    }

    /** Everything the child printed, when started with {@link Builder#captureOutput()}; waits for its end. */
    public String output() throws InterruptedException {
        if (captured == null) {
            throw new IllegalStateException("output of '" + name + "' is not captured: use builder().captureOutput()");
        }
        join();
        synchronized (captured) {
            while (!pumpDone) {
                captured.wait(100);
            }
        }
        return captured.toString();
    }

    private volatile boolean pumpDone;

    /** Asks the child to stop (SIGTERM): its shutdown hooks run. Exit code 143. */
    public void terminate() {
        // Through the handle: Process.destroy() would also close the child's standard input, which the
        // child reads as "parent died" and exits with another code.
        child.process.toHandle().destroy();
    }

    /** Stops the child at once (SIGKILL). Exit code 137. */
    public void kill() {
        child.process.toHandle().destroyForcibly();
    }

    /** Kills the child if it is still running and releases the channel. Idempotent. */
    @Override
    public void close() {
        if (child.process.isAlive()) {
            kill();
            child.exitCode(5_000);
        }
        child.close();
        LIVE.remove(this);
    }

    @Override
    public String toString() {
        String state = child.process.isAlive() ? "started" : "stopped exitcode=" + child.process.exitValue();
        return "JvmProcess[name=" + name + ", pid=" + pid() + ", " + state + (daemon ? ", daemon" : "") + "]";
    }

    /** Sends the job (unless it went with the launch) and starts the thread that collects the outcome. */
    private void begin(Messages.Job job) throws IOException {
        LIVE.add(this);
        if (captured != null) {
            Thread pump = new Thread(this::pumpOutput, "procshare-output-" + name);
            pump.setDaemon(true);
            pump.start();
        }
        if (child.channel != null) {
            child.send(job);
        }
        Thread waiter = new Thread(this::awaitOutcome, "procshare-wait-" + name);
        waiter.setDaemon(true);
        waiter.start();
    }

    private void awaitOutcome() {
        Messages.Outcome result = null;
        try {
            if (child.channel != null) {
                result = Messages.Outcome.decode(child.receiveFrame());
            } else {
                child.process.waitFor();
                if (Files.exists(child.outcomeFile)) {
                    result = Messages.Outcome.decode(Files.readAllBytes(child.outcomeFile));
                }
            }
        } catch (IOException | ClassNotFoundException | RuntimeException | InterruptedException e) {
            result = null; // ended without a readable result
        } finally {
            try {
                child.process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            child.close();
            LIVE.remove(this);
            outcome.complete(result);
        }
    }

    private void pumpOutput() {
        try (InputStream in = child.process.getInputStream()) {
            captured.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the child is gone
        } finally {
            synchronized (captured) {
                pumpDone = true;
                captured.notifyAll();
            }
        }
    }

    /**
     * At normal exit (called by the control server's shutdown hook, before it removes the channels'
     * directory): terminate daemon children, kill those still running after 2 s, then wait for the others,
     * as Python joins non-daemon children. Detached children are left alone.
     */
    static void atExit() {
        List<JvmProcess> daemons = new ArrayList<>();
        List<JvmProcess> others = new ArrayList<>();
        for (JvmProcess p : LIVE) {
            if (!p.detached) {
                (p.daemon ? daemons : others).add(p);
            }
        }
        daemons.forEach(JvmProcess::terminate);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (JvmProcess p : daemons) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (p.child.exitCode(TimeUnit.NANOSECONDS.toMillis(left)) < 0) {
                p.kill();
            }
        }
        for (JvmProcess p : others) {
            try {
                p.child.process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Options for a child JVM; immutable once started. */
    public static final class Builder {
        private String name;
        private boolean daemon;
        private boolean detached;
        private Boolean warm;
        private Object target;
        private final List<String> jvmOptions = new ArrayList<>();
        private String classpath;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path directory;
        private Launcher.OutputMode output = Launcher.OutputMode.INHERIT;
        private Path outputFile;
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** The name {@link JvmProcess#current()} reports in the child; default {@code Process-N}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** A daemon child is terminated when the parent exits normally; the parent's exit waits for others. */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /** A detached child does not watch its parent and outlives it. */
        public Builder detached(boolean detached) {
            this.detached = detached;
            return this;
        }

        /** The task: runs in the child; exit code 0 when it returns, 1 when it throws. */
        public Builder target(SerializableRunnable target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /** A task with a result, read in the parent with {@link JvmProcess#result()}. */
        public Builder call(SerializableCallable<?> callable) {
            this.target = Objects.requireNonNull(callable, "callable");
            return this;
        }

        /**
         * The task as a class and its input bytes instead of a serialized lambda: the child runs
         * {@code new type().run(input)} and its returned bytes are {@link JvmProcess#result()}. No Java
         * serialization happens on the child's start path (15-30 ms of a cold start).
         */
        public Builder entry(Class<? extends ProcessEntry> type, byte[] input) {
            try {
                type.getConstructor();
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(type.getName() + " needs a public no-argument constructor", e);
            }
            this.target = new EntryTarget(type.getName(), input.clone());
            return this;
        }

        private record EntryTarget(String className, byte[] input) {
        }

        /**
         * Extra JVM options, such as {@code -Xmx256m} or {@code -XX:+UseSerialGC}. Children start with
         * {@code -XX:-UsePerfData} (it saves about 2.5 ms of every start and exit, but {@code jps} and
         * {@code jstat} do not list them; {@code jcmd <pid>} still works): pass {@code -XX:+UsePerfData} here to
         * get the listing back. Children with this JVM's classpath are also told its selector provider when it
         * is the JDK's own ({@code -Djava.nio.channels.spi.SelectorProvider=...}, which spares a child's first
         * socket a service-loader search, 4-5 ms); a {@code -Djava.nio.channels.spi.SelectorProvider} given here
         * wins. Class-data sharing settings given here ({@code -Xshare:off}, an archive) replace procshare's
         * shared class archive for that child.
         */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /** The child's maximum heap, e.g. {@code "512m"}. */
        public Builder maxHeap(String size) {
            return jvmOptions("-Xmx" + size);
        }

        /** A system property in the child. */
        public Builder systemProperty(String key, String value) {
            return jvmOptions("-D" + key + "=" + value);
        }

        /** The child's classpath; default this JVM's {@code java.class.path}. */
        public Builder classpath(String classpath) {
            this.classpath = Objects.requireNonNull(classpath, "classpath");
            return this;
        }

        /** An environment variable in the child (added to this process's environment). */
        public Builder environment(String key, String value) {
            environment.put(key, value);
            return this;
        }

        /** The child's working directory; default this process's. */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** The child writes to this process's standard output and error (the default). */
        public Builder inheritOutput() {
            output = Launcher.OutputMode.INHERIT;
            return this;
        }

        /** The child's standard output and error are appended to {@code file}. */
        public Builder outputToFile(Path file) {
            output = Launcher.OutputMode.FILE;
            outputFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /** The child's output is kept for {@link JvmProcess#output()}. */
        public Builder captureOutput() {
            output = Launcher.OutputMode.CAPTURE;
            return this;
        }

        /**
         * Start in a pre-started idle JVM when one is ready ({@link JvmProcess#keepWarm}): {@code start()} then
         * costs a message, not a JVM start. Only for default options (no JVM options, classpath, environment,
         * directory or output setting, not detached); otherwise the start is cold. Default: the system property
         * {@code procshare.warm}, else false.
         */
        public Builder warm(boolean warm) {
            this.warm = warm;
            return this;
        }

        /** How long a cold start may take before it fails; default 60 s. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Starts the child and sends it the target.
         *
         * @throws UnserializableTaskException if the target captures something that cannot be serialized
         * @throws IllegalStateException if the child JVM cannot be started
         */
        public JvmProcess start() {
            if (target == null) {
                throw new IllegalStateException("JvmProcess.builder(): set target(...) or call(...) before start()");
            }
            String processName = name != null ? name : "Process-" + COUNTER.incrementAndGet();
            Launcher.Spec spec = new Launcher.Spec(List.copyOf(jvmOptions), classpath, Map.copyOf(environment),
                    directory, output, outputFile, !detached, null, startTimeout);
            boolean useWarm = warm != null ? warm : Boolean.getBoolean("procshare.warm");
            Messages.Job job = target instanceof EntryTarget e
                    ? Messages.Job.entry(0, processName, daemon, e.className(), e.input())
                    : Messages.Job.task(0, processName, daemon, true,
                            TaskCodec.encodeTask(target, "the target of process '" + processName + "'"));
            ChildConnection connection = null;
            Process warmJvm = useWarm && spec.isDefault() ? WarmJvms.take() : null;
            if (warmJvm != null) {
                try {
                    connection = Launcher.tryOneShot(warmJvm, spec, job);
                } catch (IOException e) {
                    warmJvm.destroyForcibly(); // it died meanwhile: start cold instead
                }
            }
            if (connection == null) {
                connection = Launcher.launchOneShot(spec, job);
            }
            JvmProcess process = new JvmProcess(processName, daemon, detached, connection,
                    output == Launcher.OutputMode.CAPTURE);
            try {
                process.begin(job);
            } catch (IOException e) {
                throw new AssertionError("a one-shot child has no channel to fail", e);
            }
            return process;
        }
    }
}
