package dev.procshare.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The least a program with a fresh JVM per process can take, whatever its library does: the same JVMs as the
 * program, each running an empty {@code main}, started in the same order. Without arguments it returns at
 * once (one such JVM). Each argument is a stage, run in turn: {@code N} starts N JVMs side by side and waits
 * for all of them, {@code sMS} sleeps MS milliseconds. {@code JvmFloor 2 1 s450} is a parent that has two
 * children boot together, then one more, and sleeps 450 ms.
 */
public final class JvmFloor {
    private JvmFloor() {
    }

    public static void main(String[] args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("java.class.path");
        for (String stage : args) {
            if (stage.startsWith("s")) {
                Thread.sleep(Long.parseLong(stage.substring(1)));
                continue;
            }
            List<Process> children = new ArrayList<>();
            for (int i = Integer.parseInt(stage); i > 0; i--) {
                children.add(new ProcessBuilder(java, "-cp", classpath, JvmFloor.class.getName())
                        .inheritIO().start());
            }
            for (Process child : children) {
                if (!child.waitFor(60, TimeUnit.SECONDS) || child.exitValue() != 0) {
                    child.destroyForcibly();
                    throw new IllegalStateException("an empty JVM did not exit cleanly within 60 s");
                }
            }
        }
    }
}
