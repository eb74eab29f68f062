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
 * <p>The child watches its parent pid: when the test JVM is gone, the child halts, so that a crashed test
 * run leaves no JVM behind.
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
        watchParent();
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

    /**
     * Halts once the parent (the test JVM) is gone. Polls the parent pid rather than blocking on standard
     * input: HotSpot's exit waits up to 300 ms for a thread blocked in a native read.
     */
    private static void watchParent() {
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        Thread watcher = new Thread(() -> {
            for (;;) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                if (ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) != parent) {
                    Runtime.getRuntime().halt(ORPHANED);
                }
            }
        }, "testkit-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
