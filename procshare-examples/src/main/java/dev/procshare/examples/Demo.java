package dev.procshare.examples;

/** The README's demo: runs each seed example that exists so far. */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("== seed 1: a shared flag set by a child process ==");
        boolean flag = SharedFlagDemo.run();
        System.out.println(flag ? "OK: the parent saw the child's write" : "FAILED: the flag was not set");
        if (!flag) {
            System.exit(1);
        }
    }
}
