package dev.procshare.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The main class of every JVM procshare starts. It reads its {@link Messages.Launch} from standard input,
 * connects back to its parent, runs the jobs it is sent and reports each outcome. Not for direct use.
 *
 * <p>Unless detached, it watches its parent: standard input is a pipe from the parent, and when the parent
 * dies (even by kill -9) the pipe reaches end of file and this JVM exits with {@link #ORPHANED}.
 */
public final class ChildMain {
    /** Exit code of a child whose parent died. */
    public static final int ORPHANED = 86;
    /** Exit code of a child whose task, or a pool worker's initializer, threw. */
    public static final int TASK_FAILED = 1;

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
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line = in.readLine();
        if (line == null) {
            System.exit(ORPHANED);
        }
        Messages.Launch launch = (Messages.Launch) TaskCodec.decode(Base64.getDecoder().decode(line));
        long pid = ProcessHandle.current().pid();
        context = launch.context();
        current = new ProcessInfo("Process-" + pid, pid, OptionalLong.of(launch.parentPid()), false);
        if (launch.watchParent()) {
            watchParent(in);
        }
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(launch.socketPath()));
        Frames.write(channel, TaskCodec.encode(new Messages.Hello(launch.token(), pid)));
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
            current = new ProcessInfo(job.name(), current.pid(), current.parentPid(), job.daemon());
            Messages.Outcome outcome = run(job);
            byte[] reply;
            try {
                reply = TaskCodec.encode(outcome);
            } catch (IOException e) {
                reply = TaskCodec.encode(new Messages.Outcome(job.id(), null, new IllegalStateException(
                        "the task's result cannot be sent back: " + TaskCodec.culprit(outcome.value(), e.getMessage()))));
            }
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

    private static void watchParent(BufferedReader in) {
        Thread watcher = new Thread(() -> {
            try {
                while (in.read() >= 0) {
                    // nothing more is sent on standard input
                }
            } catch (IOException ignored) {
                // a broken pipe means the same as end of file
            }
            exit(ORPHANED);
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
