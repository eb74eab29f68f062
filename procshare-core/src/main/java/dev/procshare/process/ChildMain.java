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
import java.util.ArrayList;
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
    private static volatile Map<String, byte[]> context = Map.of();

    private ChildMain() {
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
            writeOutcome(Path.of(launch.outcomeFile()), outcome);
            exit(outcome.error() == null ? 0 : TASK_FAILED);
        }
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(launch.socketPath()));
        Frames.write(channel, launch.token().getBytes(StandardCharsets.US_ASCII));
        if (launch.initializer() != null) {
            try {
                ((Runnable) TaskCodec.decode(launch.initializer())).run();
            } catch (Throwable t) {
                Frames.write(channel, TaskCodec.encode(new Messages.Outcome(-1, null, portable(t))));
                exit(TASK_FAILED);
            }
        }
        serve(channel);
    }

    private static void writeOutcome(Path file, Messages.Outcome outcome) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temp, encodeOutcome(outcome));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] encodeOutcome(Messages.Outcome outcome) throws IOException {
        try {
            return TaskCodec.encode(outcome);
        } catch (IOException e) {
            return TaskCodec.encode(new Messages.Outcome(outcome.id(), null, new IllegalStateException(
                    "the task's result cannot be sent back: " + TaskCodec.culprit(outcome.value(), e.getMessage()))));
        }
    }

    private static void serve(SocketChannel channel) throws IOException {
        for (;;) {
            Object message;
            try {
                message = TaskCodec.decode(Frames.read(channel));
            } catch (IOException e) {
                exit(0); // the parent closed the channel: nothing more to do
                return;
            } catch (ClassNotFoundException e) {
                throw new IOException("parent sent a class this JVM does not have", e);
            }
            if (message instanceof Messages.Stop) {
                exit(0);
            }
            Messages.Job job = (Messages.Job) message;
            Messages.Outcome outcome = run(job);
            byte[] reply = encodeOutcome(outcome);
            System.out.flush();
            System.err.flush();
            Frames.write(channel, reply);
            if (job.single()) {
                exit(outcome.error() == null ? 0 : TASK_FAILED);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Messages.Outcome run(Messages.Job job) {
        current = new ProcessInfo(job.name(), current.pid(), current.parentPid(), job.daemon());
        try {
            Object task = TaskCodec.decode(job.task());
            Object value;
            if (task instanceof Messages.Chunk chunk) {
                List<Object> results = new ArrayList<>(chunk.items().size());
                for (Object item : chunk.items()) {
                    results.add(chunk.function().apply(item));
                }
                value = results;
            } else if (task instanceof java.util.concurrent.Callable<?> callable) {
                value = callable.call();
            } else {
                ((Runnable) task).run();
                value = null;
            }
            return new Messages.Outcome(job.id(), value, null);
        } catch (Throwable t) {
            if (job.single()) {
                t.printStackTrace(); // like an uncaught exception in a thread: the user sees it in the child
            }
            return new Messages.Outcome(job.id(), null, portable(t));
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
        Thread watcher = new Thread(() -> {
            for (;;) {
                try {
                    Thread.sleep(PARENT_POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
                if (parent != parentPid) {
                    exit(ORPHANED);
                }
            }
        }, "procshare-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Exits running shutdown hooks (they unlink this JVM's segments), but never hangs in them. */
    private static void exit(int code) {
        System.out.flush();
        System.err.flush();
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException ignored) {
                // exit is under way
            }
            Runtime.getRuntime().halt(code);
        }, "procshare-exit-guard");
        halt.setDaemon(true);
        halt.start();
        System.exit(code);
    }
}
