package dev.procshare.process;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import dev.procshare.codec.FastCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.function.Function;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The main class of every JVM procshare starts. It reads its {@link Messages.Launch} from standard input,
 * connects back to its parent, runs the jobs it is sent and reports each outcome. Not for direct use.
 *
 * <p>Unless detached, it watches its parent: when the parent dies (even by kill -9) the OS re-parents this
 * JVM, which notices within 100 ms and exits with {@link #ORPHANED}.
 */
public final class ChildMain {
    /** Exit code of a child whose parent died. */
    public static final int ORPHANED = 86;
    /** Exit code of a child whose task, or a pool worker's initializer, threw. */
    public static final int TASK_FAILED = 1;
    private static final long PARENT_POLL_MILLIS = 100;

    private static volatile ProcessInfo current;
    private static volatile boolean taskFailed;
    private static volatile Map<String, byte[]> context = Map.of();

    private ChildMain() {
    }

    /** Whether this JVM ended its work with a failure: a task or initializer threw, or its parent died. */
    static boolean taskFailed() {
        return taskFailed;
    }

    /** Set in a JVM that procshare started; null elsewhere. */
    static ProcessInfo current() {
        return current;
    }

    /** What the parent passed down (the manager auth key, later); empty outside children. */
    static Map<String, byte[]> inheritedContext() {
        return context;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && ClassDataSharing.INSTALL.equals(args[0])) {
            ClassDataSharing.install(Path.of(args[1]), "install".equals(args[2]));
            return;
        }
        String classArchivePlan = System.getProperty("procshare.cds.plan"); // ClassDataSharing.PLAN_PROPERTY
        if (classArchivePlan != null) { // a training run; ClassDataSharing stays unloaded in other children
            ClassDataSharing.trainWhileAlive(classArchivePlan);
        }
        if (System.in.available() == 0) {
            prepareWhileWaiting();
        }
        Messages.Launch launch;
        try {
            launch = Messages.Launch.readFrom(new DataInputStream(System.in));
        } catch (EOFException e) {
            exit(ORPHANED); // the parent died before it told us anything
            return;
        }
        context = launch.context();
        current = new ProcessInfo("Process-" + launch.pid(), launch.pid(), OptionalLong.of(launch.parentPid()), false);
        if (launch.watchParent()) {
            watchParent(launch.parentPid());
        }
        if (launch.job() != null) {
            // One-shot child: the job came with the launch and the outcome goes to a private file, so no
            // socket is opened at all (a cold start is mostly class loading; this saves a good part of it).
            Messages.Outcome outcome = run(launch.job());
            try {
                writeOutcome(Path.of(launch.outcomeFile()), outcome);
            } catch (IOException e) {
                // The parent is gone or exiting (its directory removed): nobody will read the outcome.
            }
            end(outcome.error() == null ? 0 : TASK_FAILED);
            return;
        }
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(launch.socketPath()));
        } catch (IOException e) {
            exit(ORPHANED); // the parent is exiting and has removed its socket: nothing to do
        }
        Frames.write(channel, launch.token().getBytes(StandardCharsets.US_ASCII));
        if (launch.initializer() != null) {
            try {
                ((Runnable) TaskCodec.decodeTask(launch.initializer())).run();
            } catch (Throwable t) {
                Frames.write(channel, Messages.Outcome.failed(-1, Messages.INIT_FAILED, portable(t)).encode());
                exit(TASK_FAILED);
            }
        }
        warmUp();
        // Ready only now: a pool counts a worker as started once its initializer has run.
        Frames.write(channel, Messages.Outcome.ok(-1, null).encode());
        end(serve(new FrameChannel(channel)));
    }

    /**
     * Nothing to read yet: this JVM was started ahead of its job (a warm JVM). It does the warm-up while it
     * waits, so that the job, when it comes, finds the classes it needs loaded. A child launched with its
     * job (the record is already in the pipe) goes straight to it instead.
     */
    private static void prepareWhileWaiting() {
        Thread t = new Thread("procshare-warm-up") { // not a lambda: a cold JVM's first costs ms
            @Override
            public void run() {
                warmUp();
            }
        };
        t.setDaemon(true);
        t.start();
    }

    /**
     * Runs the serialization machinery once before the first job (deserializing a lambda, encoding an
     * outcome): a warm JVM or a new pool worker waits for work anyway, and its first job is then ~10x faster.
     */
    private static void warmUp() {
        try {
            String x = "x";
            SerializableCallable<Object> probe = () -> List.of(1, x); // travels as a recipe
            Object decoded = TaskCodec.decodeTask(TaskCodec.encodeTask(probe, "the warm-up probe"));
            Object value = ((java.util.concurrent.Callable<?>) decoded).call();
            TaskCodec.decode(TaskCodec.encode(probe)); // and Java-serialized, as tasks capturing objects travel
            Messages.Outcome.decode(Messages.Outcome.ok(0, new ArrayList<>((List<?>) value)).encode());
            Messages.Outcome.decode(Messages.Outcome.failed(0, Messages.FAILED, new IllegalStateException()).encode());
        } catch (Exception e) {
            // only an optimisation
        }
    }

    private static void writeOutcome(Path file, Messages.Outcome outcome) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temp, encodeOutcome(outcome));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] encodeOutcome(Messages.Outcome outcome) throws IOException {
        try {
            return outcome.encode();
        } catch (IOException e) {
            return Messages.Outcome.failed(outcome.id(), Messages.FAILED, new IllegalStateException(
                    "the task's result cannot be sent back: " + TaskCodec.culprit(outcome.value(), e.getMessage())))
                    .encode();
        }
    }

    /** Runs jobs until told to stop (or a single job is done); returns this JVM's exit code. */
    private static int serve(FrameChannel channel) throws IOException {
        long spin = FrameChannel.SPIN_NANOS;
        for (;;) {
            Messages.Job job;
            try {
                job = Messages.Job.decode(channel.read(Frames.MAX_FRAME, spin));
            } catch (IOException e) {
                return 0; // the parent closed the channel: nothing more to do
            }
            if (job.kind() == Messages.STOP) {
                return 0;
            }
            Messages.Outcome outcome = run(job);
            byte[] reply = encodeOutcome(outcome);
            System.out.flush();
            System.err.flush();
            channel.write(reply);
            // A caller waiting synchronously (ProcessPool.apply) is likely to send the next job at once.
            spin = Math.max(FrameChannel.SPIN_NANOS, job.spinMicros() * 1_000L);
            if (job.single()) {
                return outcome.error() == null ? 0 : TASK_FAILED;
            }
        }
    }

    /**
     * Ends this JVM once its work is done; called last on the main thread. With exit code 0 and no other
     * non-daemon thread alive, main simply returns: the JVM runs the shutdown hooks and exits with 0 just as
     * after {@code System.exit(0)}, but without {@code Runtime.exit}'s logging, which on JDK 21+ sets up the
     * platform logger (about 10 ms of every child's exit, measured on JDK 25). Otherwise {@link #exit}, which
     * also stops non-daemon threads the task left running, as always.
     */
    private static void end(int code) {
        taskFailed = code != 0;
        if (code != 0 || otherNonDaemonThreads()) {
            exit(code);
            return;
        }
        System.out.flush();
        System.err.flush();
        startExitGuard(code);
    }

    private static boolean otherNonDaemonThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            Thread t = threads[i];
            if (t != Thread.currentThread() && !t.isDaemon() && t.isAlive()) {
                return true;
            }
        }
        return n == threads.length; // could not see them all: assume the worst
    }

    /** Functions of recent map calls, decoded once per worker rather than once per chunk. */
    private static final Map<Long, Function<Object, Object>> FUNCTIONS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Function<Object, Object>> eldest) {
            return size() > 16;
        }
    };

    @SuppressWarnings("unchecked")
    private static Messages.Outcome run(Messages.Job job) {
        current = new ProcessInfo(job.name(), current.pid(), current.parentPid(), job.daemon());
        try {
            Object value;
            if (job.kind() == Messages.ENTRY) {
                String className = new String(job.fn(), StandardCharsets.UTF_8);
                Class<?> type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
                value = ((ProcessEntry) type.getConstructor().newInstance()).run(job.payload());
            } else if (job.kind() == Messages.CHUNK) {
                Function<Object, Object> fn = FUNCTIONS.get(job.fnId());
                if (fn == null) {
                    fn = (Function<Object, Object>) TaskCodec.decodeTask(job.fn());
                    FUNCTIONS.put(job.fnId(), fn);
                }
                value = Chunks.apply(fn, FastCodec.INSTANCE.decode(job.payload()));
            } else {
                Object task = TaskCodec.decodeTask(job.payload());
                if (task instanceof java.util.concurrent.Callable<?> callable) {
                    value = callable.call();
                } else {
                    ((Runnable) task).run();
                    value = null;
                }
            }
            return Messages.Outcome.ok(job.id(), value);
        } catch (Throwable t) {
            if (job.single()) {
                t.printStackTrace(); // like an uncaught exception in a thread: the user sees it in the child
            }
            return Messages.Outcome.failed(job.id(), Messages.FAILED, portable(t));
        }
    }

    /** The exception itself if it can travel; else a stand-in with the same message and stack trace. */
    private static Throwable portable(Throwable t) {
        try {
            TaskCodec.encode(t);
            return t;
        } catch (IOException e) {
            RuntimeException standIn = new RuntimeException(t.getClass().getName() + ": " + t.getMessage());
            standIn.setStackTrace(t.getStackTrace());
            return standIn;
        }
    }

    /**
     * Exits when the parent dies: the parent's pid stops being ours once the OS re-parents us. A sleeping
     * poller, not a thread blocked reading standard input: HotSpot's exit waits up to 300 ms for threads
     * blocked in native reads, which would slow every child's exit.
     */
    private static void watchParent(long parentPid) {
        Thread watcher = new Thread(new ParentWatch(parentPid), "procshare-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** A class, not a lambda: a lambda here would set up the method-handle machinery on the start path. */
    private static final class ParentWatch implements Runnable {
        private final long parentPid;

        ParentWatch(long parentPid) {
            this.parentPid = parentPid;
        }

        @Override
        public void run() {
            for (;;) {
                try {
                    Thread.sleep(PARENT_POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
                if (parent == null || parent.pid() != parentPid) {
                    exit(ORPHANED);
                }
            }
        }
    }

    /** Exits running shutdown hooks (they unlink this JVM's segments), but never hangs in them. */
    private static void exit(int code) {
        if (code != 0) {
            taskFailed = true; // a failed task, initializer or orphaned child: its class archive is not kept
        }
        System.out.flush();
        System.err.flush();
        startExitGuard(code);
        System.exit(code);
    }

    /** Halts the JVM if its shutdown hooks have not finished within 2 s. */
    private static void startExitGuard(int code) {
        Thread halt = new Thread(new ExitGuard(code), "procshare-exit-guard");
        halt.setDaemon(true);
        halt.start();
    }

    /** A class, not a lambda: the exit path of a child that ran no lambda should not set up their machinery. */
    private static final class ExitGuard implements Runnable {
        private final int code;

        ExitGuard(int code) {
            this.code = code;
        }

        @Override
        public void run() {
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException ignored) {
                // exit is under way
            }
            Runtime.getRuntime().halt(code);
        }
    }
}
