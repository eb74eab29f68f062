package dev.procshare.bench;

import dev.procshare.memory.SharedEvent;
import dev.procshare.memory.SharedLong;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A worker JVM that hammers one shared counter: warm-up, then {@code ops} increments timed from "go". */
final class CounterWorker {
    static final long WARMUP = 2_000_000;

    private CounterWorker() {
    }

    public static void main(String[] args) throws Exception {
        long ops = Long.parseLong(args[0]);
        List<?> handles = Workers.receive();
        SharedLong counter = (SharedLong) handles.get(0);
        SharedEvent go = (SharedEvent) handles.get(1);
        SharedLong ready = (SharedLong) handles.get(2);
        for (long i = 0; i < WARMUP; i++) {
            counter.incrementAndGet();
        }
        ready.incrementAndGet();
        if (!go.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no start signal");
        }
        long start = System.nanoTime();
        for (long i = 0; i < ops; i++) {
            counter.incrementAndGet();
        }
        System.out.println(System.nanoTime() - start);
    }
}
