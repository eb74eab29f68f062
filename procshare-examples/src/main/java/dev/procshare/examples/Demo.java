package dev.procshare.examples;

/** The README's demo: runs each seed example that exists so far. */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("== seed 1: a shared flag set by a daemon child process named ttt ==");
        boolean flag = SharedFlagDemo.run();
        System.out.println(flag ? "OK: the parent saw the child's write" : "FAILED: the flag was not set");
        System.out.println();
        System.out.println("== a pool of 4 worker JVMs sharing a counter ==");
        long count = PoolDemo.run();
        System.out.println(count == 4 ? "OK: 4 increments, none lost" : "FAILED: counter is " + count);
        if (!flag || count != 4) {
            System.exit(1);
        }
    }
}
