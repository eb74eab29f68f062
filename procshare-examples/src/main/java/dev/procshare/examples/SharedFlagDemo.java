package dev.procshare.examples;

import dev.procshare.memory.SharedBoolean;
import dev.procshare.memory.SharedLong;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Seed section 1: {@code multiprocessing.Value(c_bool, False)} handed to a child process named "ttt", which
 * sets it; the parent sees the child's write.
 *
 * <p>Until {@code JvmProcess} lands, the child is started by hand: the same {@code java} and classpath, the
 * handles sent over the child's standard input (a private channel, unlike the command line).
 */
public final class SharedFlagDemo {
    private SharedFlagDemo() {
    }

    public static void main(String[] args) throws Exception {
        run();
    }

    /** Runs the demo and returns the flag's final value. */
    public static boolean run() throws Exception {
        try (SharedBoolean reportExecutorEnd = SharedBoolean.create(false);
             SharedLong tasksDone = SharedLong.create(0)) {
            System.out.println("[main] created " + reportExecutorEnd);
            Process ttt = startChild("ttt", reportExecutorEnd, tasksDone);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!reportExecutorEnd.get() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                if (!ttt.waitFor(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("child 'ttt' did not finish within 30 s");
                }
            } finally {
                ttt.destroyForcibly();
            }
            System.out.println("[main] child 'ttt' (pid " + ttt.pid() + ") exited with " + ttt.exitValue()
                    + "; flag = " + reportExecutorEnd.get() + ", tasks done = " + tasksDone.get());
            return reportExecutorEnd.get();
        }
    }

    /** The child: receives the handles, does its work, sets the flag. */
    public static final class Child {
        private Child() {
        }

        public static void main(String[] args) throws Exception {
            byte[] bytes = Base64.getDecoder().decode(new String(System.in.readNBytes(64 * 1024)).trim());
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
                @SuppressWarnings("unchecked")
                List<Object> handles = (List<Object>) in.readObject();
                SharedBoolean done = (SharedBoolean) handles.get(0);
                SharedLong tasks = (SharedLong) handles.get(1);
                for (int i = 0; i < 3; i++) {
                    tasks.incrementAndGet(); // the runner's work
                }
                System.out.println("[" + args[0] + "] pid " + ProcessHandle.current().pid() + " did "
                        + tasks.get() + " tasks, setting the flag");
                done.set(true);
            }
        }
    }

    private static Process startChild(String name, Object... handles) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), name).inheritIO().redirectInput(ProcessBuilder.Redirect.PIPE).start();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(List.of(handles));
        }
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(Base64.getEncoder().encode(bytes.toByteArray()));
        }
        return process;
    }
}
