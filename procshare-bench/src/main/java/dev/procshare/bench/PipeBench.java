package dev.procshare.bench;

import dev.procshare.connection.Connection;
import dev.procshare.connection.Pipe;
import dev.procshare.process.JvmProcess;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code benchmarks.jar pipe [ROUND_TRIPS]}: a {@code Pipe} round trip (send an Integer, the child sends it
 * back) between this JVM and a child JVM, next to Python's {@code Pipe()} between a process and its fork.
 */
final class PipeBench {
    private PipeBench() {
    }

    static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        double[] java = roundTripMicros(calls);
        Map<String, String> py = SideBySide.runPython("pipe_bench.py", calls);
        double pyMedian = Double.parseDouble(py.get("pipe_round_trip_median_us"));
        double pyP99 = Double.parseDouble(py.get("pipe_round_trip_p99_us"));
        System.out.printf("| work | Python | procshare | ratio |%n|---|---|---|---|%n");
        System.out.printf("| Pipe() round trip to a child, median | %.1f µs | %.1f µs | %.2fx |%n", pyMedian, java[0],
                pyMedian / java[0]);
        System.out.printf("| Pipe() round trip to a child, p99 | %.1f µs | %.1f µs | %.2fx |%n", pyP99, java[1],
                pyP99 / java[1]);
    }

    /** {median, p99} µs of a send and the echoed recv, once both JVMs compiled the path. */
    static double[] roundTripMicros(int calls) throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection childEnd = pipe.second();
            try (JvmProcess child = JvmProcess.builder().target(() -> echo(childEnd)).start()) {
                Connection parent = pipe.first();
                Duration bound = Duration.ofSeconds(60);
                for (int i = 0; i < Math.min(20_000, 40 * calls); i++) {
                    parent.send(i);
                    parent.recv(bound);
                }
                double[] times = new double[calls];
                for (int i = 0; i < calls; i++) {
                    long start = System.nanoTime();
                    parent.send(i);
                    if ((Integer) parent.recv(bound) != i) {
                        throw new IllegalStateException("wrong echo");
                    }
                    times[i] = (System.nanoTime() - start) / 1e3;
                }
                parent.send(null);
                child.join(bound);
                Arrays.sort(times);
                return new double[] {times[calls / 2], times[(int) (calls * 0.99) - 1]};
            }
        }
    }

    private static void echo(Connection conn) {
        try (conn) {
            for (Object m = conn.recv(); m != null; m = conn.recv()) {
                conn.send(m);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
