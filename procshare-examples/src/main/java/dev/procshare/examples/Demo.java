package dev.procshare.examples;

import java.time.Duration;
import java.util.List;

/**
 * The seed's three patterns, run one after the other: {@code Demo [1|2|3|all] [--fast]}. {@code --fast}
 * shortens the viewer's 2-second interval in demo 3 (for tests). Exits 1 if any demo's outcome is wrong.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args) ? 0 : 1);
    }

    /** Runs the demos named by {@code args}; true if every one gave the expected outcome. */
    public static boolean run(String... args) throws Exception {
        List<String> options = List.of(args);
        boolean fast = options.contains("--fast");
        String which = options.stream().filter(a -> !a.startsWith("--")).findFirst().orElse("all");
        if (!List.of("1", "2", "3", "all").contains(which)) {
            throw new IllegalArgumentException("no demo '" + which + "': choose 1, 2, 3 or all");
        }
        boolean ok = true;
        if (which.equals("1") || which.equals("all")) {
            System.out.println("== seed 1: a shared flag set by a daemon child process named ttt ==");
            boolean flag = SharedFlagDemo.run();
            ok &= report(flag, "the parent saw the child's write", "the flag was not set");
            long count = PoolDemo.run();
            ok &= report(count == 4, "4 pool tasks incremented one shared counter, none lost", "counter is " + count);
        }
        if (which.equals("2") || which.equals("all")) {
            System.out.println("== seed 2: a manager namespace, value and list shared by a pool of 4 ==");
            NamespacePoolDemo.Result r = NamespacePoolDemo.run();
            ok &= report(r.allFour(), "namespace object, managed value and list object all reached 4", "got " + r);
        }
        if (which.equals("3") || which.equals("all")) {
            System.out.println("== seed 3: one registered Test object used by a viewer, a modifier and main ==");
            List<String> seen = RegisteredClassDemo.run(Duration.ofMillis(fast ? 300 : 2000));
            ok &= report(seen.equals(List.of("init", "process modify", "main")),
                    "the viewer saw init, then process 2's change, then main's", "the viewer saw " + seen);
        }
        return ok;
    }

    private static boolean report(boolean ok, String good, String bad) {
        System.out.println(ok ? "OK: " + good : "FAILED: " + bad);
        System.out.println();
        return ok;
    }
}
