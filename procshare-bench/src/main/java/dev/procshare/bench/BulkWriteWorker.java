package dev.procshare.bench;

import dev.procshare.memory.SharedDoubleArray;
import java.util.Arrays;

/** A worker JVM that writes a whole {@link SharedDoubleArray} with one bulk copy, repeatedly. */
final class BulkWriteWorker {
    private BulkWriteWorker() {
    }

    /** Prints the first copy's time, then the median of {@code repeats} more, in nanoseconds. */
    public static void main(String[] args) throws Exception {
        int repeats = Integer.parseInt(args[0]);
        SharedDoubleArray array = (SharedDoubleArray) Workers.receive().get(0);
        double[] values = new double[array.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5;
        }
        long start = System.nanoTime();
        array.copyFrom(values);
        long first = System.nanoTime() - start;
        long[] times = new long[repeats];
        for (int r = 0; r < repeats; r++) {
            start = System.nanoTime();
            array.copyFrom(values);
            times[r] = System.nanoTime() - start;
        }
        Arrays.sort(times);
        System.out.println(first + " " + times[repeats / 2]);
    }
}
