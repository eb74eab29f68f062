package dev.procshare.reliability;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * What every scenario shares: its size ({@code -Dprocshare.soak=N} multiplies it), its seeded randomness
 * ({@code -Dprocshare.seed=S}, printed, so that a failure can be replayed) and its figures, printed as one
 * {@code [figures]} line per scenario.
 */
public final class Scenario {
    public static final int SOAK = Integer.getInteger("procshare.soak", 1);
    static final long SEED = Long.getLong("procshare.seed", 20261127L);

    private final String name;
    private final Map<String, Object> figures = new LinkedHashMap<>();
    public final Random random;

    public Scenario(String name) {
        this.name = name;
        this.random = new Random(SEED ^ name.hashCode());
        figures.put("seed", SEED);
        figures.put("soak", SOAK);
    }

    public Scenario put(String key, Object value) {
        figures.put(key, value);
        return this;
    }

    public void print() {
        StringBuilder line = new StringBuilder("[figures] ").append(name).append(':');
        figures.forEach((k, v) -> line.append(' ').append(k).append('=').append(
                v instanceof Double d ? String.format(Locale.ROOT, "%.1f", d) : v));
        System.out.println(line);
    }

    /** p50, p99, p999 in µs of a latency histogram with 1 µs buckets (the last bucket: everything above). */
    static double[] percentiles(long[] histogram) {
        long total = Arrays.stream(histogram).sum();
        double[] out = new double[3];
        double[] qs = {0.50, 0.99, 0.999};
        for (int q = 0; q < qs.length; q++) {
            long rank = (long) Math.ceil(qs[q] * total);
            long seen = 0;
            for (int i = 0; i < histogram.length; i++) {
                seen += histogram[i];
                if (seen >= rank) {
                    out[q] = i;
                    break;
                }
            }
        }
        return out;
    }
}
