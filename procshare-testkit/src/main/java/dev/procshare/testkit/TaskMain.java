package dev.procshare.testkit;

import java.io.ByteArrayInputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Entry point of a child JVM started by {@link ChildJvm#task}: reads one Base64 line from standard input,
 * deserializes the task and runs it. Exit code 0 means the task returned, 1 that it threw.
 *
 * <p>Standard input stays open for the child's lifetime: when it reaches end of file the parent (the test
 * JVM) is gone, and the child halts so that a crashed test run leaves no JVM behind.
 */
public final class TaskMain {
    /** Exit code of a child whose parent died. */
    public static final int ORPHANED = 97;

    private TaskMain() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line = in.readLine();
        if (line == null) {
            System.exit(ORPHANED);
        }
        Runnable task;
        try (ObjectInputStream ois = new ObjectInputStream(
                new ByteArrayInputStream(Base64.getDecoder().decode(line)))) {
            task = (Runnable) ois.readObject();
        }
        watchParent(in);
        try {
            task.run();
        } catch (Throwable t) {
            t.printStackTrace();
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
        System.exit(0);
    }

    private static void watchParent(BufferedReader in) {
        Thread watcher = new Thread(() -> {
            try {
                while (in.read() >= 0) {
                    // the parent never writes after the task line; anything else is ignored
                }
            } catch (Exception ignored) {
                // a broken pipe means the same as end of file
            }
            Runtime.getRuntime().halt(ORPHANED);
        }, "testkit-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
