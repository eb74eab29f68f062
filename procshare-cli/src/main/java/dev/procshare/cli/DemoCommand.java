package dev.procshare.cli;

import dev.procshare.examples.Demo;
import java.io.PrintStream;
import java.util.List;

/** {@code procshare demo [1|2|3|all] [--fast]}. */
final class DemoCommand {
    static final String HELP = """
            usage: procshare demo [1|2|3|all] [--fast]

            Runs the seed note's examples in Java, each with real child JVMs:
              1  a shared boolean flag set by a daemon child process named ttt (multiprocessing.Value),
                 and a pool of 4 workers sharing one counter
              2  a manager namespace holding a user class with custom serialization, updated by a pool of
                 4 workers (4 every run), a manager value and a manager list of user objects
              3  one registered Test object: a viewer process prints its data every 2 s, a modifier process
                 and the main process change it
            --fast shortens demo 3's 2-second interval. Exit code 1 if an outcome is wrong.
            """;

    private DemoCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        if (Procshare.wantsHelp(args, out, HELP)) {
            return 0;
        }
        for (String a : args) {
            if (!List.of("1", "2", "3", "all", "--fast").contains(a)) {
                throw new Procshare.UsageException("demo: unknown argument '" + a + "' (choose 1, 2, 3 or all)");
            }
        }
        return Demo.run(args) ? 0 : 1;
    }
}
