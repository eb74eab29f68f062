package dev.procshare.bench;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.procshare.codec.AllowList;
import dev.procshare.codec.Codec;
import dev.procshare.codec.JavaCodec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Java serialization (as the manager uses it, with its allow-list) against Kryo 5 for the values a manager
 * call carries that are not on the fast path: a small user object, and a list of them. Steady state per
 * encode+decode round trip, size, and the first round trip in a fresh JVM (class loading and set-up
 * included). {@code java -jar benchmarks.jar codecs}.
 */
public final class CodecComparison {
    private CodecComparison() {
    }

    /** A user object like the seed's {@code MyClass}. */
    public static final class Item implements Serializable {
        private static final long serialVersionUID = 1L;
        public int count;
        public String name;
        public double[] values;

        public Item() {
        }

        Item(int count) {
            this.count = count;
            this.name = "item-" + count;
            this.values = new double[] {count, count * 0.5, count * 0.25};
        }
    }

    interface RoundTrip {
        Object run(Object value) throws Exception;
    }

    static RoundTrip jdk() {
        Codec codec = JavaCodec.restricted(AllowList.defaults().allowClasses(List.of(Item.class.getName())));
        return v -> codec.decode(codec.encode(v));
    }

    static RoundTrip kryo() {
        Kryo kryo = new Kryo();
        kryo.register(Item.class);
        kryo.register(double[].class);
        kryo.register(ArrayList.class);
        return v -> {
            Output out = new Output(256, -1);
            kryo.writeClassAndObject(out, v);
            return kryo.readClassAndObject(new Input(out.toBytes()));
        };
    }

    static int size(String which, Object v) throws Exception {
        if (which.equals("jdk")) {
            return JavaCodec.INSTANCE.encode(v).length;
        }
        Kryo kryo = new Kryo();
        kryo.register(Item.class);
        kryo.register(double[].class);
        kryo.register(ArrayList.class);
        Output out = new Output(256, -1);
        kryo.writeClassAndObject(out, v);
        return out.toBytes().length;
    }

    static double nanosPerRoundTrip(RoundTrip rt, Object value, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            rt.run(value);
        }
        double[] rounds = new double[5];
        for (int r = 0; r < rounds.length; r++) {
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                rt.run(value);
            }
            rounds[r] = (System.nanoTime() - t) / (double) n;
        }
        Arrays.sort(rounds);
        return rounds[2];
    }

    /** In a fresh JVM: ms from main() to the end of the first round trip of each value. */
    public static void firstUse(String which) throws Exception {
        long t = System.nanoTime();
        RoundTrip rt = which.equals("jdk") ? jdk() : kryo();
        rt.run(new Item(1));
        System.out.println((System.nanoTime() - t) / 1e6);
    }

    static double freshJvmMs(String which) throws Exception {
        String jar = Path.of(CodecComparison.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        double[] runs = new double[5];
        for (int i = 0; i < runs.length; i++) {
            Process p = new ProcessBuilder(java, "-cp", jar, BenchMain.class.getName(), "codec-first", which)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            runs[i] = Double.parseDouble(out);
        }
        Arrays.sort(runs);
        return runs[2];
    }

    public static void main(String[] args) throws Exception {
        Item one = new Item(7);
        ArrayList<Item> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add(new Item(i));
        }
        StringBuilder t = new StringBuilder();
        t.append("| value | Java serialization | Kryo 5.6.2 | Kryo faster by |\n|---|---:|---:|---:|\n");
        for (Object[] c : new Object[][] {{"one user object", one, 200_000}, {"list of 100 user objects", hundred, 5_000}}) {
            double j = nanosPerRoundTrip(jdk(), c[1], (Integer) c[2]);
            double k = nanosPerRoundTrip(kryo(), c[1], (Integer) c[2]);
            t.append(String.format(Locale.ROOT, "| %s, encode+decode | %.2f µs | %.2f µs | %.1f× |%n", c[0], j / 1e3, k / 1e3, j / k));
            t.append(String.format(Locale.ROOT, "| %s, bytes | %d | %d | |%n", c[0], size("jdk", c[1]), size("kryo", c[1])));
        }
        double jf = freshJvmMs("jdk");
        double kf = freshJvmMs("kryo");
        t.append(String.format(Locale.ROOT, "| first round trip in a fresh JVM (set-up included) | %.1f ms | %.1f ms | %.1f× |%n", jf, kf, jf / kf));
        String report = "Codecs for values off the fast path, Java " + Runtime.version() + "\n\n" + t;
        System.out.println(report);
        Path dir = Path.of(System.getProperty("procshare.bench.out", "bench-results"));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("codecs.md"), report);
    }
}
