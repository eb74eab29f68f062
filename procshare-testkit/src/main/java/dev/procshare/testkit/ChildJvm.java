package dev.procshare.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real child JVM for tests: same {@code java}, same test classpath, output captured, always reaped.
 *
 * <p>Start one with {@link #task(SerializableRunnable)} (a serializable lambda; whatever it captures travels
 * with it) or {@link #main(Class, String...)}. Every wait is bounded; {@link #close()} kills the child if it
 * is still running, and a shutdown hook kills any child a crashed test forgot. A child also halts by itself
 * when the test JVM dies (it watches its standard input).
 */
public final class ChildJvm implements AutoCloseable {
    /** How long {@link Builder#run()} and {@link #awaitExit()} wait unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final Set<ChildJvm> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ChildJvm::kill), "testkit-reaper"));
    }

    private final Process process;
    private final OutputStream stdin;
    private final StringBuffer out = new StringBuffer();
    private final StringBuffer err = new StringBuffer();
    private final Thread outPump;
    private final Thread errPump;
    private final Duration timeout;

    private ChildJvm(Process process, Duration timeout) {
        this.process = process;
        this.timeout = timeout;
        this.stdin = process.getOutputStream();
        this.outPump = pump(process.getInputStream(), out, "out");
        this.errPump = pump(process.getErrorStream(), err, "err");
        LIVE.add(this);
    }

    /** A child that deserializes and runs {@code task}. */
    public static Builder task(SerializableRunnable task) {
        return new Builder(TaskMain.class.getName(), List.of(), task);
    }

    /** A child that runs {@code mainClass.main(args)}. */
    public static Builder main(Class<?> mainClass, String... args) {
        return new Builder(mainClass.getName(), List.of(args), null);
    }

    /** Children started by this JVM that have not been reaped yet. */
    public static Set<ChildJvm> live() {
        LIVE.removeIf(c -> !c.process.isAlive() && c.reaped());
        return Set.copyOf(LIVE);
    }

    /** The test classpath, as surefire or the launching command gave it. */
    public static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** The {@code java} executable of this JVM. */
    public static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the child printed on standard output so far. */
    public String stdout() {
        return out.toString();
    }

    public String stderr() {
        return err.toString();
    }

    /**
     * Waits until the child's standard output contains {@code text}; fails if the child exits first or the
     * timeout passes. Used to synchronise with a child ("holding the lock now").
     */
    public ChildJvm awaitOutput(String text, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (out.indexOf(text) < 0) {
            if (!process.isAlive() && reaped() && out.indexOf(text) < 0) {
                throw new AssertionError("child " + pid() + " exited (" + process.exitValue() + ") before printing '"
                        + text + "'\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err);
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new AssertionError("child " + pid() + " did not print '" + text + "' within " + within
                        + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err);
            }
            sleepBriefly();
        }
        return this;
    }

    /** Waits for exit within the builder's timeout; kills the child and fails if it does not exit. */
    public JvmResult awaitExit() {
        return awaitExit(timeout);
    }

    public JvmResult awaitExit(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new AssertionError("child " + pid() + " still running after " + within + ", killed"
                        + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err);
            }
            reaped();
            return new JvmResult(pid(), process.exitValue(), out.toString(), err.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new AssertionError("interrupted while waiting for child " + pid(), e);
        } finally {
            LIVE.remove(this);
        }
    }

    /** kill -9: no shutdown hooks run in the child. Returns once the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reaped();
        LIVE.remove(this);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        closeQuietly(stdin);
        LIVE.remove(this);
    }

    /** Output pumps have drained; after exit this makes the captured text complete. */
    private boolean reaped() {
        try {
            outPump.join(5_000);
            errPump.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private static Thread pump(InputStream in, StringBuffer sink, String what) {
        Thread t = new Thread(() -> {
            char[] buf = new char[8192];
            try (java.io.Reader reader = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
                int n;
                while ((n = reader.read(buf)) > 0) {
                    sink.append(buf, 0, n);
                }
            } catch (IOException ignored) {
                // the stream closes when the child dies
            }
        }, "testkit-pump-" + what);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void closeQuietly(OutputStream s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // the child is gone
        }
    }

    /** Options for a child JVM. */
    public static final class Builder {
        private final String mainClass;
        private final List<String> args;
        private final SerializableRunnable task;
        private final List<String> jvmArgs = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1"));
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder(String mainClass, List<String> args, SerializableRunnable task) {
            this.mainClass = mainClass;
            this.args = args;
            this.task = task;
        }

        /** Adds JVM options such as {@code -Dkey=value} or {@code -Xmx64m}. */
        public Builder jvmArgs(String... options) {
            jvmArgs.addAll(List.of(options));
            return this;
        }

        /** Use the full JIT (C2) instead of the quick-start default, for children that run hot loops. */
        public Builder optimized() {
            jvmArgs.remove("-XX:TieredStopAtLevel=1");
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Starts the child and returns at once. */
        public ChildJvm start() {
            List<String> command = new ArrayList<>();
            command.add(javaExecutable().toString());
            command.addAll(jvmArgs);
            command.add("-cp");
            command.add(testClassPath());
            command.add(mainClass);
            command.addAll(args);
            ChildJvm child;
            try {
                child = new ChildJvm(new ProcessBuilder(command).start(), timeout);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start child JVM " + command, e);
            }
            if (task != null) {
                try {
                    child.stdin.write(serialize(task));
                    child.stdin.write('\n');
                    child.stdin.flush();
                } catch (IOException e) {
                    child.close(); // died at start-up (a bad option?): say what it printed
                    throw new AssertionError("child JVM died before it got its task: " + e + "\n--- stderr ---\n"
                            + child.stderr(), e);
                }
            }
            return child;
        }

        /** Starts the child, waits for it within the timeout and checks it succeeded. */
        public JvmResult run() {
            try (ChildJvm child = start()) {
                return child.awaitExit().assertSuccess();
            }
        }

        private static byte[] serialize(Object task) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream oos = new ObjectOutputStream(bytes)) {
                oos.writeObject(task);
            }
            return Base64.getEncoder().encode(bytes.toByteArray());
        }
    }
}
