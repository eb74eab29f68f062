package dev.procshare.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code procshare} command. Exit codes: 0 success, 1 the command ran and failed (a demo's outcome was
 * wrong, the server could not start, a benchmark failed), 2 the command line was wrong.
 */
public final class Procshare {
    static final String USAGE = """
            usage: procshare <command> [options]

            commands:
              demo [1|2|3|all] [--fast]   run the seed's examples (1: shared flag, 2: manager + pool, 3: registered class)
              manager serve ...           run a standalone manager server (see: procshare manager serve --help)
              ls                          list shared-memory segments and manager sockets on this host
              clean [--dry-run]           remove segments and sockets whose owner process is dead
              bench [memory|process|manager|queue|programs] [--quick] [--out DIR]
                                          run the side-by-side benchmarks against Python's multiprocessing
              help                        this text

            every command takes --help.
            """;

    private Procshare() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.out, System.err);
        } catch (UsageException e) {
            System.err.println("procshare: " + e.getMessage());
            System.err.println("try: procshare help");
            code = 2;
        } catch (Exception e) {
            System.err.println("procshare: " + e.getMessage());
            code = 1;
        }
        System.exit(code);
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || List.of("help", "--help", "-h").contains(args[0])) {
            out.print(USAGE);
            return 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "demo" -> DemoCommand.run(rest, out);
            case "manager" -> ServeCommand.run(rest, out, err);
            case "ls" -> SegmentsCommand.list(rest, out);
            case "clean" -> SegmentsCommand.clean(rest, out);
            case "bench" -> BenchCommand.run(rest, out, err);
            default -> throw new UsageException("unknown command '" + args[0] + "'");
        };
    }

    static boolean wantsHelp(String[] args, PrintStream out, String help) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(help);
            return true;
        }
        return false;
    }

    /** A command line that cannot be run as given: exit code 2 and the reason. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
