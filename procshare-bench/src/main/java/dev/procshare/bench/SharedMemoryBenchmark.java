package dev.procshare.bench;

import dev.procshare.memory.SharedDouble;
import dev.procshare.memory.SharedDoubleArray;
import dev.procshare.memory.SharedLock;
import dev.procshare.memory.SharedLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-process cost of the shared-memory operations, next to their {@code java.util.concurrent} twins on
 * the heap. Run: {@code java -jar procshare-bench/target/benchmarks.jar jmh SharedMemoryBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SharedMemoryBenchmark {
    private SharedLong sharedLong;
    private SharedDouble sharedDouble;
    private SharedLock sharedLock;
    private SharedDoubleArray array;
    private final AtomicLong atomicLong = new AtomicLong();
    private final double[] million = new double[1_000_000];

    @Setup(Level.Trial)
    public void setUp() {
        sharedLong = SharedLong.create();
        sharedDouble = SharedDouble.create();
        sharedLock = SharedLock.create();
        array = SharedDoubleArray.create(million.length);
        for (int i = 0; i < million.length; i++) {
            million[i] = i;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sharedLong.close();
        sharedDouble.close();
        sharedLock.close();
        array.close();
    }

    @Benchmark
    public long atomicLongIncrement() {
        return atomicLong.incrementAndGet();
    }

    @Benchmark
    public long sharedLongIncrement() {
        return sharedLong.incrementAndGet();
    }

    @Benchmark
    public long sharedLongGet() {
        return sharedLong.get();
    }

    @Benchmark
    public void sharedLongSet() {
        sharedLong.set(42);
    }

    @Benchmark
    public double sharedDoubleAdd() {
        return sharedDouble.addAndGet(1.0);
    }

    @Benchmark
    public void sharedLockLockUnlock() {
        sharedLock.lock();
        sharedLock.unlock();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public SharedDoubleArray bulkWriteMillionDoubles() {
        array.copyFrom(million);
        return array;
    }
}
