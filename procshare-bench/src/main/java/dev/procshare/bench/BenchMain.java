package dev.procshare.bench;

import java.util.Arrays;

/**
 * {@code java -jar benchmarks.jar jmh [JMH options]} runs the JMH benchmarks;
 * {@code java -jar benchmarks.jar side-by-side [memory|process|manager|queue|redis|programs] [--quick]} runs the cross-process comparison with Python;
 * {@code java -jar benchmarks.jar pipe [ROUND_TRIPS]} compares a {@code Pipe} round trip with Python's.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "side-by-side" : args[0];
        String[] rest = args.length == 0 ? new String[0] : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "jmh" -> org.openjdk.jmh.Main.main(rest);
            case "side-by-side" -> SideBySide.main(rest);
            case "counter-worker" -> CounterWorker.main(rest);
            case "bulk-worker" -> BulkWriteWorker.main(rest);
            case "codecs" -> CodecComparison.main(rest);
            case "pipe" -> PipeBench.main(rest);
            case "codec-first" -> CodecComparison.firstUse(rest[0]);
            default -> {
                System.err.println("usage: benchmarks.jar jmh [JMH options] | side-by-side [memory|process|manager|queue|redis|programs] [--quick] | codecs | pipe [ROUND_TRIPS]");
                System.exit(2);
            }
        }
    }
}
