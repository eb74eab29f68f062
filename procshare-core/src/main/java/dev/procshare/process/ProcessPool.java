package dev.procshare.process;

import dev.procshare.codec.FastCodec;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool of worker JVMs: Python's {@code multiprocessing.Pool}, and a {@link java.util.concurrent.ExecutorService}
 * so that {@code CompletableFuture}s and existing executor code work with it.
 *
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.create(4)) {
 *     List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));      // ordered, in chunks
 *     int n = pool.submit(() -> counter.incrementAndGet()).get();          // a SharedLong, re-attached
 * }
 * }</pre>
 *
 * <p><b>Tasks</b> are serializable lambdas ({@link SerializableCallable}, {@link SerializableFunction}, ...)
 * and travel to a worker with what they capture; shared-memory handles and manager proxies re-attach there.
 * A task that cannot be serialized is refused at submission with {@link UnserializableTaskException}.
 * A task that throws fails its future with {@link RemoteTaskException}, whose cause carries the worker's
 * stack trace.
 *
 * <p><b>Dead workers.</b> A worker that dies (kill -9, {@code System.exit}, out of memory: workers run with
 * {@code -XX:+ExitOnOutOfMemoryError}, exit code 3) fails the task it
 * was running with {@link WorkerDiedException} carrying its exit code; a new worker takes its place and the
 * other tasks go on. No call waits on a dead worker. An {@linkplain Builder#initializer initializer} that
 * throws breaks the pool: every pending and later task fails with its exception (instead of respawning
 * workers forever).
 *
 * <p><b>Lifecycle.</b> The first worker starts when the pool is created, in the background; the others start
 * as work needs them: once it is ready and the oldest queued task has waited {@link Builder#growAfter}
 * (200 ms), one more for each queued task beyond those the booting workers will take, a few at a time
 * ({@link Builder#startConcurrency}).
 * A pool whose tasks one worker keeps up with stays at one JVM, and one whose tasks pile up grows to its
 * size; {@code growAfter(Duration.ZERO)} starts them all at once, as Python's {@code Pool} does.
 * Workers run {@code initializer} once each, and are
 * replaced after {@link Builder#maxTasksPerChild} tasks if set. {@link #shutdown()} lets queued tasks finish;
 * {@link #shutdownNow()} kills the workers; {@link #close()} shuts down and waits. Workers watch this JVM and
 * exit if it dies.
 */
public final class ProcessPool extends AbstractExecutorService implements AutoCloseable {
    private static final AtomicLong JOB_IDS = new AtomicLong();
    /**
     * How long {@link #apply} (and {@code get()} on a submitted task) spins for the answer before sleeping:
     * {@code procshare.apply.spin.micros}, default 1 ms.
     */
    private static final long DIRECT_SPIN_NANOS = Long.getLong("procshare.apply.spin.micros", 1_000) * 1_000;
    /**
     * How long a worker spins for the next job after a direct call ({@code procshare.worker.spin.micros},
     * default 1 ms). Both spins must outlast a wake-up (100-200 µs on this 2-core VM): with 100 µs spins, one
     * call in which either side fell asleep left both sides missing each other's spin, call after call, and
     * the p99 of {@code submit(..).get()} was 230 µs; with 1 ms it was 61-95 µs over runs (the spins yield after
     * their first 20 µs, so a third thread on the core is not kept waiting: that had made the p99.9 2 ms).
     */
    private static final int WORKER_SPIN_MICROS = Integer.getInteger("procshare.worker.spin.micros", 1_000);

    private final int size;
    private final int maxTasksPerChild;
    private final Launcher.Spec spec;
    private final java.util.concurrent.LinkedBlockingDeque<Work> queue = new java.util.concurrent.LinkedBlockingDeque<>();
    private final List<Slot> slots = new ArrayList<>();
    private volatile boolean shutdown;
    private volatile boolean shutdownNow;
    private volatile Throwable broken;
    private final java.util.concurrent.atomic.AtomicInteger liveSlots = new java.util.concurrent.atomic.AtomicInteger();
    /** Workers that may boot at once: JVMs booting side by side on too few cores all become ready late. */
    private final java.util.concurrent.Semaphore boots;
    /** How long queued work waits before a worker that has not started yet boots for it. */
    private final long growAfterNanos;
    /**
     * How often a slot without a worker looks at the queue while nothing in it is near {@link #growAfterNanos}:
     * polled rather than woken by each enqueue, which would wake every such slot on every {@code submit}.
     */
    private final long growPollNanos;
    /** When the pool's first worker became ready: queued work waits from then at the earliest. */
    private volatile long firstReadyNanos;
    private volatile boolean anyReady;
    /**
     * Workers booting, or booted and not yet back from their first look at the queue: each will take one
     * queued item, so that many items need no other worker (a boot for a task already in hand not counted).
     */
    private int booting;
    /** Guards {@link #booting}; slots without a worker wait on it (woken on shutdown). */
    private final Object demand = new Object();

    private ProcessPool(Builder b) {
        this.size = b.size;
        this.maxTasksPerChild = b.maxTasksPerChild;
        byte[] initializer = b.initializer == null ? null : TaskCodec.encodeTask(b.initializer, "the pool initializer");
        List<String> options = new ArrayList<>();
        // A worker out of memory may be in any state: it exits, and its task fails with WorkerDiedException.
        options.add("-XX:+ExitOnOutOfMemoryError");
        options.addAll(b.jvmOptions);
        this.spec = new Launcher.Spec(List.copyOf(options), null, Map.of(), null, Launcher.OutputMode.INHERIT,
                null, true, initializer, b.startTimeout);
        this.boots = new java.util.concurrent.Semaphore(b.startConcurrency > 0 ? b.startConcurrency
                : defaultStartConcurrency());
        this.growAfterNanos = saturatedNanos(b.growAfter);
        this.growPollNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
                Math.min(growAfterNanos / 2, TimeUnit.SECONDS.toNanos(1)));
        liveSlots.set(size);
        for (int i = 0; i < size; i++) {
            Slot slot = new Slot(b.namePrefix + "-" + (i + 1), i == 0 || growAfterNanos == 0);
            slots.add(slot);
            slot.thread.start();
        }
    }

    /** A pool of up to one worker per available processor (see {@link Builder#growAfter}). */
    public static ProcessPool create() {
        return builder().create();
    }

    /** A pool of up to {@code workers} worker JVMs, started as work needs them ({@link Builder#growAfter}). */
    public static ProcessPool create(int workers) {
        return builder().size(workers).create();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return size;
    }

    /** The pids of the worker JVMs running now (for diagnostics). */
    public List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        for (Slot slot : slots) {
            ChildConnection c = slot.connection;
            if (c != null && c.process.isAlive()) {
                pids.add(c.pid());
            }
        }
        return pids;
    }

    // ---- submission ---------------------------------------------------------------------------------------

    /** Runs {@code task} in a worker; the future completes with its result. */
    public <T> CompletableFuture<T> submit(SerializableCallable<T> task) {
        return enqueue(task, "a task submitted to the pool");
    }

    /** Runs {@code task} in a worker; the future completes with null. */
    public CompletableFuture<Void> submit(SerializableRunnable task) {
        return enqueue(task, "a task submitted to the pool");
    }

    /** {@inheritDoc} The task must be {@link Serializable} (use {@link SerializableCallable}). */
    @Override
    public <T> java.util.concurrent.Future<T> submit(Callable<T> task) {
        return enqueue(requireSerializable(task), "a task submitted to the pool");
    }

    @Override
    public java.util.concurrent.Future<?> submit(Runnable task) {
        return enqueue(requireSerializable(task), "a task submitted to the pool");
    }

    @Override
    public <T> java.util.concurrent.Future<T> submit(Runnable task, T result) {
        SerializableRunnable r = (SerializableRunnable) requireSerializable(task)::run;
        return enqueue(r, "a task submitted to the pool").thenApply(ignored -> result);
    }

    /**
     * Python's {@code apply}: runs {@code task} in a worker and waits for its result. When a worker is idle
     * and nothing is queued, this thread sends the task and reads the answer itself (spinning briefly), which
     * makes a call about ten times faster than Python's on two cores.
     */
    public <T> T apply(SerializableCallable<T> task) throws InterruptedException {
        Work work = new Work(Messages.TASK, 0, null, TaskCodec.encodeTask(task, "a task given to apply()"));
        if (broken == null && !shutdown && queue.isEmpty() && !Thread.currentThread().isInterrupted()) {
            // An idle worker: this thread sends the task and reads the answer itself, spinning briefly,
            // instead of handing both to the pool thread (two thread wake-ups saved per call).
            for (Slot slot : slots) {
                if (slot.connection != null && slot.busy.tryAcquire()) {
                    Runnable completion = null;
                    try {
                        ChildConnection c = slot.connection;
                        if (c != null && !shutdown) {
                            completion = slot.runOn(c, work, DIRECT_SPIN_NANOS);
                        }
                    } finally {
                        slot.busy.release();
                    }
                    if (completion != null) {
                        completion.run(); // after release: callbacks of the future may use the pool
                        return await(uncheckedCast(work.future));
                    }
                }
            }
        }
        return await(enqueue(work));
    }

    @SuppressWarnings("unchecked")
    private static <T> CompletableFuture<T> uncheckedCast(CompletableFuture<?> future) {
        return (CompletableFuture<T>) future;
    }

    /** Python's {@code apply_async}. */
    public <T> CompletableFuture<T> applyAsync(SerializableCallable<T> task) {
        return submit(task);
    }

    @Override
    public void execute(Runnable command) {
        if (command instanceof PoolFuture<?> future) {
            future.enqueue();
        } else {
            enqueue(requireSerializable(command), "a task given to execute()");
        }
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        return new PoolFuture<>(requireSerializable(callable));
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        Runnable r = requireSerializable(runnable);
        return new PoolFuture<>((SerializableCallable<T>) () -> {
            r.run();
            return value;
        });
    }

    /**
     * Runs the tasks in workers and returns the result of one that succeeded; the others are cancelled (a
     * task already running in a worker finishes there, its result ignored). Tasks must be serializable.
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no deadline", e);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        List<CompletableFuture<T>> futures = new ArrayList<>();
        CompletableFuture<T> first = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        for (Callable<T> task : tasks) {
            CompletableFuture<T> f = enqueue(requireSerializable(task), "a task given to invokeAny()");
            futures.add(f);
            f.whenComplete((v, e) -> {
                if (e == null) {
                    first.complete(v);
                } else if (failures.incrementAndGet() == tasks.size()) {
                    first.completeExceptionally(e);
                }
            });
        }
        try {
            return unit.toNanos(timeout) == Long.MAX_VALUE ? first.get() : first.get(timeout, unit);
        } finally {
            futures.forEach(f -> f.cancel(false));
        }
    }

    // ---- map family ---------------------------------------------------------------------------------------

    /**
     * Python's {@code map}: applies {@code fn} to every item in workers; results in input order, as a read-only
     * list. Items and results that are all {@code Integer}, {@code Long} or {@code Double} travel as primitive
     * arrays and the list boxes them as they are read; it serializes as an {@code ArrayList}.
     */
    public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items)
            throws InterruptedException {
        return map(fn, items, 0, null);
    }

    /** {@link #map(SerializableFunction, Iterable)} with items sent {@code chunkSize} at a time (0: automatic). */
    public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
                              int chunkSize) throws InterruptedException {
        return map(fn, items, chunkSize, null);
    }

    /** Like {@link #map(SerializableFunction, Iterable, int)}, telling {@code progress} after each chunk. */
    public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
                              int chunkSize, MapProgress progress) throws InterruptedException {
        return await(mapAsync(fn, items, chunkSize, progress));
    }

    /** Python's {@code map_async}; the list it completes with is read-only, as {@link #map}'s. */
    public <T, R> CompletableFuture<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn,
                                                      Iterable<? extends T> items) {
        return mapAsync(fn, items, 0, null);
    }

    public <T, R> CompletableFuture<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn,
                                                      Iterable<? extends T> items, int chunkSize,
                                                      MapProgress progress) {
        List<?> all;
        if (items instanceof List<?> list && items instanceof java.util.RandomAccess) {
            all = list; // encoded chunk by chunk straight from the caller's list, without a copy
        } else {
            List<Object> copy = new ArrayList<>();
            items.forEach(copy::add);
            all = copy;
        }
        int chunk = chunkSize > 0 ? chunkSize : defaultChunkSize(all.size());
        FunctionRef function = new FunctionRef(fn, "the function given to map()");
        List<CompletableFuture<List<Object>>> chunks = new ArrayList<>();
        AtomicLong done = new AtomicLong();
        int total = all.size();
        for (int from = 0; from < total; from += chunk) {
            int to = Math.min(total, from + chunk);
            CompletableFuture<List<Object>> f = submitChunk(function, all, from, to);
            if (progress != null) {
                int n = to - from;
                f = f.whenComplete((r, e) -> {
                    if (e == null) {
                        progress.update(done.addAndGet(n), total);
                    }
                });
            }
            chunks.add(f);
        }
        return CompletableFuture.allOf(chunks.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<List<Object>> parts = new ArrayList<>(chunks.size());
            for (int i = 0; i < chunks.size(); i++) {
                List<Object> part = chunks.get(i).join();
                int expected = Math.min(chunk, total - i * chunk);
                if (part.size() != expected) {
                    throw new IllegalStateException("a worker answered a map chunk of " + expected + " items with "
                            + part.size() + " results");
                }
                parts.add(part);
            }
            return Chunks.concat(parts, chunk, total);
        });
    }

    /** Python's {@code starmap}: {@code fn(key, value)} for each pair, results in order (a read-only list). */
    public <A, B, R> List<R> starmap(SerializableBiFunction<? super A, ? super B, ? extends R> fn,
                                     Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs)
            throws InterruptedException {
        List<Map.Entry<A, B>> portable = new ArrayList<>();
        for (Map.Entry<? extends A, ? extends B> e : pairs) {
            portable.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
        }
        return map((SerializableFunction<Map.Entry<A, B>, R>) e -> fn.apply(e.getKey(), e.getValue()), portable);
    }

    /**
     * Python's {@code imap}: results in input order, lazily. Items are read from {@code items} only as
     * results are consumed (a few chunks ahead), so the input may be large or endless.
     */
    public <T, R> Iterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return imap(fn, items, 1);
    }

    public <T, R> Iterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
                                   int chunkSize) {
        return new LazyResults<>(fn, items.iterator(), Math.max(1, chunkSize), true);
    }

    /** Python's {@code imap_unordered}: like {@link #imap} but each result as soon as it is ready. */
    public <T, R> Iterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
                                            Iterable<? extends T> items) {
        return imapUnordered(fn, items, 1);
    }

    public <T, R> Iterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
                                            Iterable<? extends T> items, int chunkSize) {
        return new LazyResults<>(fn, items.iterator(), Math.max(1, chunkSize), false);
    }

    /** Python's rule: about four chunks per worker. */
    private int defaultChunkSize(int items) {
        int chunk = items / (4 * size);
        return items % (4 * size) != 0 || chunk == 0 ? chunk + 1 : chunk;
    }

    /** A map call's function, serialized once and named by an id that workers cache it under. */
    private static final class FunctionRef {
        private static final AtomicLong IDS = new AtomicLong();
        final long id = IDS.incrementAndGet();
        final byte[] bytes;

        FunctionRef(SerializableFunction<?, ?> fn, String what) {
            this.bytes = TaskCodec.encodeTask(Objects.requireNonNull(fn, "function"), what);
        }
    }

    private CompletableFuture<List<Object>> submitChunk(FunctionRef function, List<?> items, int from, int to) {
        byte[] payload;
        try {
            Object compact = Chunks.compact(items, from, to);
            payload = compact != null ? FastCodec.INSTANCE.encode(compact)
                    : FastCodec.INSTANCE.encodeRange(items, from, to);
        } catch (IOException e) {
            throw new UnserializableTaskException("cannot send map() items to a worker JVM: "
                    + TaskCodec.culprit(new ArrayList<>(items.subList(from, to)), e.getMessage())
                    .replace("the task (java.util.ArrayList)", "items " + from + " to " + (to - 1)), e);
        }
        return enqueue(new Work(Messages.CHUNK, function.id, function.bytes, payload));
    }

    // ---- lifecycle ----------------------------------------------------------------------------------------

    @Override
    public void shutdown() {
        shutdown = true;
        abandonIdleBoots();
        wakeSlotsWithoutWorker();
    }

    private void wakeSlotsWithoutWorker() {
        synchronized (demand) {
            demand.notifyAll();
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4; // centuries: never, in effect
        }
    }

    /**
     * Waits until queued work needs another worker ({@link #growthDueIn}). False once the pool is shut down
     * with nothing queued: this slot's worker will never be needed.
     */
    private boolean awaitDemand() throws InterruptedException {
        synchronized (demand) {
            for (;;) {
                if (shutdownNow || shutdown && queue.isEmpty()) {
                    return false;
                }
                long left = growthDueIn();
                if (left <= 0) {
                    return true;
                }
                TimeUnit.NANOSECONDS.timedWait(demand, Math.min(left, growPollNanos));
            }
        }
    }

    /**
     * Counts a boot in {@link #booting}; with {@code ifNeeded}, only if queued work needs another worker now
     * (atomic, so that one waiting item starts one worker, not one per slot that saw it). The booting slot
     * calls {@link #bootTookItsTurn()} once its worker has looked at the queue, or its boot failed.
     */
    private boolean countBoot(boolean ifNeeded) {
        synchronized (demand) {
            if (ifNeeded && growthDueIn() > 0) {
                return false;
            }
            booting++;
            return true;
        }
    }

    private void bootTookItsTurn() {
        synchronized (demand) {
            booting--;
        }
    }

    /**
     * Nanoseconds until queued work needs one more worker than are booting for it (at most 0: now; about
     * {@code Long.MAX_VALUE}: not while things stay as they are). It does once more items are queued than
     * workers boot for them, and the oldest has waited {@link #growAfterNanos}, counted from the first
     * worker's readiness: a backlog a worker clears as it comes is no reason to boot another, and one that
     * built up while the first worker booted is no sign of it yet. Items cancelled in the queue do not count.
     * The caller holds {@link #demand}.
     */
    private long growthDueIn() {
        if (!anyReady) {
            return Long.MAX_VALUE; // polled again: the first worker's readiness starts the clock
        }
        int claimed = booting;
        int live = 0;
        long oldestAt = 0;
        for (Work w : queue) { // weakly consistent; stops after claimed + 1 live items
            if (w.future.isDone()) {
                continue;
            }
            if (live == 0) {
                oldestAt = w.queuedAt;
            }
            if (++live > claimed) {
                break;
            }
        }
        if (live <= claimed) {
            return Long.MAX_VALUE;
        }
        long since = firstReadyNanos - oldestAt > 0 ? firstReadyNanos : oldestAt;
        return growAfterNanos - (System.nanoTime() - since);
    }

    /**
     * One booting worker per core but one, at least one: on two cores, four workers booting side by side were
     * each ready only after about two cold starts; one at a time, the first is ready after one and takes the
     * queued tasks while the next boots ({@code procshare.pool.startConcurrency} overrides).
     */
    private static int defaultStartConcurrency() {
        return Integer.getInteger("procshare.pool.startConcurrency",
                Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
    }

    /**
     * Whether a worker that boots now would never get a task: the pool is shut down now, or shut down with
     * nothing queued and no initializer to run, and the boot is not for a task already taken ({@code forWork}).
     */
    private boolean nothingToBootFor(boolean forWork) {
        return shutdownNow || !forWork && shutdown && queue.isEmpty() && spec.initializer() == null;
    }

    /**
     * Once shut down with nothing queued, a worker still booting will never get a task: it is killed instead of
     * being waited for (a short-lived pool then costs the JVMs it used, not the ones it asked for). Not with an
     * initializer: that is user code, which may be running in the booting worker and is not cut short.
     */
    private void abandonIdleBoots() {
        if (!nothingToBootFor(false)) {
            return;
        }
        for (Slot slot : slots) {
            slot.abandonBoot();
        }
    }

    /**
     * Kills the workers, also those still booting; running tasks fail with {@link CancellationException};
     * returns the unstarted ones.
     */
    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        shutdownNow = true;
        List<Runnable> unstarted = new ArrayList<>();
        List<Work> drained = new ArrayList<>();
        queue.drainTo(drained);
        for (Work w : drained) {
            w.future.cancel(false);
            unstarted.add(w.asRunnable());
        }
        wakeSlotsWithoutWorker();
        for (Slot slot : slots) {
            slot.abandonBoot();
            ChildConnection c = slot.connection;
            if (c != null) {
                c.kill();
            }
        }
        return unstarted;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && slots.stream().noneMatch(s -> s.thread.isAlive());
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Slot slot : slots) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return isTerminated();
            }
            TimeUnit.NANOSECONDS.timedJoin(slot.thread, left);
        }
        return isTerminated();
    }

    /**
     * Shuts down and waits for queued tasks and the workers to finish, like {@code ExecutorService.close()}
     * in Java 19+. If interrupted, kills the workers ({@link #shutdownNow()}).
     */
    @Override
    public void close() {
        shutdown();
        try {
            while (!awaitTermination(1, TimeUnit.DAYS)) {
                // keep waiting: tasks are still running
            }
        } catch (InterruptedException e) {
            shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ProcessPool[size=" + size + ", queued=" + queue.size() + ", workers=" + workerPids()
                + (shutdown ? ", shut down" : "") + (broken != null ? ", broken: " + broken : "") + "]";
    }

    // ---- internals ----------------------------------------------------------------------------------------

    private <T> CompletableFuture<T> enqueue(Object task, String what) {
        if (shutdown && broken == null) {
            throw new RejectedExecutionException("the pool is shut down");
        }
        return enqueue(new Work(Messages.TASK, 0, null, TaskCodec.encodeTask(task, what)));
    }

    private <T> CompletableFuture<T> enqueue(Work work) {
        if (broken != null) {
            work.future.completeExceptionally(broken);
        } else if (shutdown) {
            throw new RejectedExecutionException("the pool is shut down");
        } else {
            queue.add(work);
            if (liveSlots.get() == 0 && queue.remove(work)) {
                // Every pool thread ended between the check and the add: nobody would run it.
                work.future.completeExceptionally(broken != null ? broken
                        : new RejectedExecutionException("the pool is shut down"));
            }
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<T> typed = (CompletableFuture<T>) (CompletableFuture<?>) work.future;
        return typed;
    }

    private static <T> T requireSerializable(T task) {
        Objects.requireNonNull(task, "task");
        if (!(task instanceof Serializable)) {
            throw new UnserializableTaskException("a " + task.getClass().getName() + " cannot be sent to a worker JVM:"
                    + " it is not Serializable. Write the lambda where a SerializableCallable or SerializableRunnable"
                    + " is expected, e.g. pool.submit((SerializableCallable<T>) () -> ...)", null);
        }
        return task;
    }

    private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new CompletionException(cause);
        }
    }

    /** One unit of work: an encoded task and its future. */
    private final class Work {
        final byte kind;
        final long fnId;
        final byte[] fn;
        final byte[] payload;
        final CompletableFuture<Object> future = new DirectFuture(this);
        /** A caller waits for it in {@code get()}/{@code join()}: whoever runs it should answer fast. */
        volatile boolean awaited;
        /** A pool thread has taken it from the queue. */
        volatile boolean taken;
        final long queuedAt = System.nanoTime();

        Work(byte kind, long fnId, byte[] fn, byte[] payload) {
            this.kind = kind;
            this.fnId = fnId;
            this.fn = fn;
            this.payload = payload;
        }

        Runnable asRunnable() {
            return () -> {
                throw new CancellationException("a task of a ProcessPool that was shut down cannot run here");
            };
        }
    }

    /**
     * The future of a submitted task. Waiting on it while the task is still queued and a worker is idle runs
     * the task right there, as {@link #apply} does: {@code submit(task).get()} then costs one round trip
     * instead of two extra thread hand-overs.
     */
    private final class DirectFuture extends CompletableFuture<Object> {
        private final Work work;

        DirectFuture(Work work) {
            this.work = work;
        }

        private void runHereIfQueued() {
            if (!isDone() && work.kind == Messages.TASK && broken == null) {
                runDirect(work);
            }
        }

        /**
         * If a pool thread took the task first, its answer usually comes within a round trip: waiting for it
         * spinning here saves this thread a wake-up. Not while the task is still queued behind others.
         */
        private void awaitBriefly() {
            if (isDone() || work.kind != Messages.TASK || !work.taken) {
                return;
            }
            long until = System.nanoTime() + DIRECT_SPIN_NANOS;
            while (!isDone() && System.nanoTime() < until) {
                Thread.yield(); // the pool thread or the worker may need this core
            }
        }

        @Override
        public Object get() throws InterruptedException, ExecutionException {
            work.awaited = true;
            runHereIfQueued();
            awaitBriefly();
            return super.get();
        }

        @Override
        public Object get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException,
                TimeoutException {
            return super.get(timeout, unit); // a direct run could not honour the timeout
        }

        @Override
        public Object join() {
            work.awaited = true;
            runHereIfQueued();
            awaitBriefly();
            return super.join();
        }
    }

    /** Runs a queued work item on an idle worker in this thread, if it is still queued and one is idle. */
    private void runDirect(Work work) {
        if (Thread.currentThread().isInterrupted()) {
            return; // the plain wait reports the interrupt; a direct run could not
        }
        for (Slot slot : slots) {
            if (slot.connection != null && slot.busy.tryAcquire()) {
                Runnable completion = null;
                try {
                    ChildConnection c = slot.connection;
                    if (c != null && !shutdown && queue.remove(work)) {
                        completion = slot.runOn(c, work, DIRECT_SPIN_NANOS);
                    }
                } finally {
                    slot.busy.release();
                }
                if (completion != null) {
                    completion.run(); // after release: callbacks of the future may use the pool
                }
                return;
            }
        }
    }

    /** The future {@link AbstractExecutorService#invokeAll} and {@code invokeAny} use. */
    private final class PoolFuture<T> implements RunnableFuture<T> {
        private final SerializableCallable<T> callable;
        private volatile CompletableFuture<T> future;
        private final CompletableFuture<T> ready = new CompletableFuture<>();

        PoolFuture(Callable<T> callable) {
            this.callable = callable instanceof SerializableCallable<T> s ? s : (SerializableCallable<T>) callable::call;
        }

        void enqueue() {
            future = ProcessPool.this.submit(callable);
            future.whenComplete((v, e) -> {
                if (e != null) {
                    ready.completeExceptionally(e);
                } else {
                    ready.complete(v);
                }
            });
        }

        @Override
        public void run() {
            // the work runs in a worker JVM once enqueued by execute()
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            CompletableFuture<T> f = future;
            if (f != null) {
                f.cancel(mayInterruptIfRunning);
            }
            return ready.cancel(mayInterruptIfRunning);
        }

        @Override
        public boolean isCancelled() {
            return ready.isCancelled();
        }

        @Override
        public boolean isDone() {
            return ready.isDone();
        }

        @Override
        public T get() throws InterruptedException, ExecutionException {
            return ready.get();
        }

        @Override
        public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return ready.get(timeout, unit);
        }
    }

    /** One worker JVM and the pool thread that feeds it, replacing it when it dies or is recycled. */
    private final class Slot implements Runnable {
        final String name;
        final Thread thread;
        volatile ChildConnection connection;
        /** The worker JVM while it boots with no task waiting for it; null otherwise. */
        private Process idleBoot;
        private boolean abandoned;
        /** Held while the worker's channel is in use: by this slot's thread, or by a caller of apply(). */
        final java.util.concurrent.Semaphore busy = new java.util.concurrent.Semaphore(1); // not reentrant
        private int tasksDone;
        /** Boots without waiting for work to need it: the first slot, a pool that grows at once, a replacement. */
        private boolean eager;
        /** This slot's boot is counted in {@link #booting} until its worker has looked at the queue once. */
        private boolean countedBoot;

        Slot(String name, boolean eager) {
            this.name = name;
            this.eager = eager;
            this.thread = new Thread(this, "procshare-pool-" + name);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                loop();
            } catch (Throwable t) {
                breakPool(new IllegalStateException("pool thread of worker " + name + " failed: " + t, t));
            } finally {
                uncountBoot();
                // Taken for good: no direct caller may use the worker once this slot is done.
                busy.acquireUninterruptibly();
                ChildConnection c = connection;
                connection = null;
                if (c != null) {
                    stopWorker(c);
                }
                if (liveSlots.decrementAndGet() == 0) {
                    failQueued(new RejectedExecutionException("the pool shut down before this task ran"));
                }
            }
        }

        private void loop() {
            while (!shutdownNow) {
                busy.acquireUninterruptibly();
                try {
                    if (connection == null && !startWorker(false)) {
                        return;
                    }
                } finally {
                    busy.release();
                }
                Work work;
                try {
                    work = queue.poll(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                } finally {
                    uncountBoot();
                }
                if (shutdown && queue.isEmpty()) {
                    wakeSlotsWithoutWorker(); // slots waiting for a need that can no longer come
                }
                if (work == null) {
                    if (shutdown && queue.isEmpty()) {
                        abandonIdleBoots();
                        return;
                    }
                    continue;
                }
                if (work.future.isDone()) {
                    continue; // cancelled while queued
                }
                work.taken = true;
                if (!busy.tryAcquire()) {
                    work.taken = false;
                    // A caller is using this worker directly: give the item back for another worker (or
                    // for a caller waiting on it), and come back when this worker is free.
                    queue.offerFirst(work);
                    busy.acquireUninterruptibly();
                    busy.release();
                    continue;
                }
                Runnable completion;
                try {
                    if (connection == null && !startWorker(true)) {
                        Throwable why = broken; // null when shutdownNow() came while this slot waited to boot
                        work.future.completeExceptionally(why != null ? why
                                : new CancellationException("the pool was shut down"));
                        return;
                    }
                    // A caller waiting in get() (see DirectFuture) is answered spinning; asynchronous work is not.
                    completion = runOn(connection, work,
                            work.kind == Messages.TASK && work.awaited ? DIRECT_SPIN_NANOS : 0);
                } finally {
                    busy.release();
                }
                completion.run();
            }
        }

        /**
         * Boots this slot's worker, waiting for a turn among the pool's booting workers. Without a task in hand
         * ({@code forWork} false) it gives up quietly, returning false with the pool unbroken, once the pool is
         * shut down with nothing queued.
         */
        private boolean startWorker(boolean forWork) {
            boolean onDemand = !forWork && !eager;
            try {
                for (;;) {
                    if (onDemand && !awaitDemand()) {
                        return false;
                    }
                    if (boots.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                        if (forWork || countBoot(onDemand)) {
                            countedBoot = !forWork;
                            break;
                        }
                        boots.release(); // a worker became ready during the wait for a turn and took the work
                    } else if (nothingToBootFor(forWork)) {
                        return false;
                    }
                }
            } catch (InterruptedException e) {
                return false;
            }
            try {
                synchronized (this) {
                    if (nothingToBootFor(forWork)) {
                        return false;
                    }
                    abandoned = false;
                }
                connection = Launcher.launch(spec, forWork ? null : this::booting);
                tasksDone = 0;
                eager = true; // once grown, the pool keeps its size: a worker that ends is replaced at once
                if (!anyReady) {
                    firstReadyNanos = System.nanoTime();
                    anyReady = true;
                }
                return true;
            } catch (RemoteTaskException e) {
                breakPool(new RemoteTaskException("the pool initializer failed in worker " + name + ": "
                        + e.getCause(), e.getCause()));
                return false;
            } catch (RuntimeException e) {
                synchronized (this) {
                    if (abandoned || shutdownNow) {
                        return false; // killed while booting: nothing was waiting for it
                    }
                }
                breakPool(new IllegalStateException("cannot start pool worker " + name + ": " + e.getMessage(), e));
                return false;
            } finally {
                synchronized (this) {
                    idleBoot = null;
                }
                if (connection == null) {
                    uncountBoot(); // it failed: no worker will take an item for it
                }
                boots.release();
            }
        }

        private void uncountBoot() {
            if (countedBoot) {
                countedBoot = false;
                bootTookItsTurn();
            }
        }

        private synchronized void booting(Process process) {
            idleBoot = process;
            if (nothingToBootFor(false)) {
                abandonBoot();
            }
        }

        synchronized void abandonBoot() {
            if (idleBoot != null) {
                abandoned = true;
                idleBoot.destroyForcibly();
                idleBoot = null;
            }
        }

        /**
         * Runs one work item on the worker; the caller holds {@link #busy}. Returns what completes the item's
         * future, to be run after {@code busy} is released: a callback on the future may use the pool again.
         */
        Runnable runOn(ChildConnection c, Work work, long spinNanos) {
            long id = JOB_IDS.incrementAndGet();
            byte[] frame;
            try {
                c.send(new Messages.Job(id, name, true, false, work.kind, work.fnId, work.fn, work.payload,
                        spinNanos > 0 ? WORKER_SPIN_MICROS : 0));
                frame = c.receiveFrame(spinNanos);
            } catch (Throwable e) {
                // Died, or the channel is in an unknown state (an Error mid-frame): this worker is done.
                int code = c.exitCode(e instanceof IOException ? 5_000 : 0);
                c.kill();
                connection = null;
                if (shutdownNow) {
                    return () -> work.future.completeExceptionally(new CancellationException("the pool was shut down"));
                }
                WorkerDiedException died = new WorkerDiedException("pool worker " + name + " (pid " + c.pid()
                        + ") died while running a task; exit code " + code, c.pid(), code);
                if (!(e instanceof IOException || e instanceof RuntimeException)) {
                    died.initCause(e);
                }
                return () -> work.future.completeExceptionally(died);
            }
            if (maxTasksPerChild > 0 && ++tasksDone >= maxTasksPerChild) {
                retire(c);
            }
            Messages.Outcome outcome;
            try {
                outcome = Messages.Outcome.decode(frame);
            } catch (Throwable t) {
                // The frame was read whole, so the worker is fine: only this result cannot be read here.
                return () -> work.future.completeExceptionally(new RemoteTaskException("the result of a task in "
                        + "pool worker " + name + " (pid " + c.pid() + ") cannot be read in this JVM: " + t, t));
            }
            if (outcome.error() != null) {
                return () -> work.future.completeExceptionally(new RemoteTaskException("task failed in pool worker "
                        + name + " (pid " + c.pid() + "): " + outcome.error(), outcome.error()));
            }
            Object value = work.kind == Messages.CHUNK ? Chunks.asList(outcome.value()) : outcome.value();
            if (value == null && work.kind == Messages.CHUNK) {
                return () -> work.future.completeExceptionally(new IllegalStateException("pool worker " + name
                        + " (pid " + c.pid() + ") answered a map chunk with something that is not a list"));
            }
            return () -> work.future.complete(value);
        }

        /** Recycles a worker without waiting for its exit (it exits on the stop message; the pool thread restarts). */
        private void retire(ChildConnection c) {
            connection = null;
            try {
                c.send(Messages.Job.stop());
            } catch (IOException ignored) {
                // already gone
            }
            c.close();
            c.process.onExit().orTimeout(5, TimeUnit.SECONDS)
                    .whenComplete((p, e) -> c.process.toHandle().destroyForcibly());
        }

        private void stopWorker(ChildConnection c) {
            try {
                c.send(Messages.Job.stop());
            } catch (IOException ignored) {
                // already gone
            }
            if (c.exitCode(5_000) < 0) {
                c.kill();
            }
            c.close();
        }
    }

    private void breakPool(Throwable cause) {
        if (broken == null) {
            broken = cause;
        }
        shutdown = true;
        failQueued(broken);
        wakeSlotsWithoutWorker();
    }

    private void failQueued(Throwable cause) {
        List<Work> drained = new ArrayList<>();
        queue.drainTo(drained);
        drained.forEach(w -> w.future.completeExceptionally(cause));
    }

    /** The iterator behind {@link #imap} and {@link #imapUnordered}: keeps a few chunks in flight. */
    private final class LazyResults<T, R> implements Iterator<R> {
        private final FunctionRef fn;
        private final Iterator<? extends T> input;
        private final int chunkSize;
        private final boolean ordered;
        private final Deque<CompletableFuture<List<Object>>> inFlight = new ArrayDeque<>();
        private final BlockingQueue<CompletableFuture<List<Object>>> completed = new LinkedBlockingQueue<>();
        private Iterator<Object> current = java.util.Collections.emptyIterator();

        LazyResults(SerializableFunction<? super T, ? extends R> fn, Iterator<? extends T> input, int chunkSize,
                    boolean ordered) {
            this.fn = new FunctionRef(fn, "the function given to imap()");
            this.input = input;
            this.chunkSize = chunkSize;
            this.ordered = ordered;
        }

        private void fill() {
            while (inFlight.size() < 2 * size && input.hasNext()) {
                List<Object> part = new ArrayList<>(chunkSize);
                while (part.size() < chunkSize && input.hasNext()) {
                    part.add(input.next());
                }
                CompletableFuture<List<Object>> f = submitChunk(fn, part, 0, part.size());
                inFlight.add(f);
                if (!ordered) {
                    f.whenComplete((r, e) -> completed.add(f));
                }
            }
        }

        @Override
        public boolean hasNext() {
            while (!current.hasNext()) {
                fill();
                if (inFlight.isEmpty()) {
                    return false;
                }
                CompletableFuture<List<Object>> next;
                try {
                    next = ordered ? inFlight.peekFirst() : completed.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted while waiting for a result");
                }
                inFlight.remove(next);
                try {
                    current = await(next).iterator();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted while waiting for a result");
                }
            }
            return true;
        }

        @Override
        @SuppressWarnings("unchecked")
        public R next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return (R) current.next();
        }
    }

    /** Options for a pool. */
    public static final class Builder {
        private int size = Runtime.getRuntime().availableProcessors();
        private SerializableRunnable initializer;
        private int maxTasksPerChild;
        private final List<String> jvmOptions = new ArrayList<>();
        private String namePrefix = "PoolWorker";
        private Duration startTimeout = Duration.ofSeconds(60);
        private int startConcurrency;
        private Duration growAfter = Duration.ofMillis(200);

        private Builder() {
        }

        /** The most worker JVMs the pool runs at once; default the number of available processors. */
        public Builder size(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("a pool needs at least one worker, not " + workers);
            }
            this.size = workers;
            return this;
        }

        /** Runs once in each worker before its first task (Python's {@code initializer}). */
        public Builder initializer(SerializableRunnable initializer) {
            this.initializer = initializer;
            return this;
        }

        /** Replaces a worker after it has run this many tasks (Python's {@code maxtasksperchild}); 0: never. */
        public Builder maxTasksPerChild(int tasks) {
            if (tasks < 0) {
                throw new IllegalArgumentException("maxTasksPerChild must be >= 0, not " + tasks);
            }
            this.maxTasksPerChild = tasks;
            return this;
        }

        /** JVM options for the workers, e.g. {@code -Xmx256m}. */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /** Worker names are {@code prefix-1}, {@code prefix-2}, ...; default {@code PoolWorker}. */
        public Builder namePrefix(String prefix) {
            this.namePrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** How long a worker JVM may take to start; default 60 s. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How many workers may boot at the same time (default: one per available processor but one, at least
         * one). Workers that are ready take queued tasks while the rest boot. A pool shut down with nothing
         * queued kills the workers still booting, unless it has an {@linkplain #initializer initializer}, which
         * then runs in every worker that started, as always.
         */
        public Builder startConcurrency(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("startConcurrency must be at least 1, got " + workers);
            }
            this.startConcurrency = workers;
            return this;
        }

        /**
         * How long the oldest queued task waits before more workers start (default 200 ms, about a worker's
         * boot on a small machine: a task that waits less would not have been answered sooner by a worker
         * started for it, and a worker's first task, which loads and connects what it uses, often takes tens
         * of ms). Counted from the first worker's readiness: nothing grows before one worker is ready. The
         * first worker starts with the pool; the others start only as work needs them, then one for each
         * queued task beyond those the booting workers will take, a few at a time ({@link #startConcurrency}),
         * so a pool that one worker keeps up with costs one JVM and one whose tasks pile up grows to its size. Once started, a worker stays until the pool closes (and is replaced if
         * it dies or reaches {@link #maxTasksPerChild}). {@link Duration#ZERO} starts every worker when the pool
         * is created, as Python's {@code Pool(n)} does.
         */
        public Builder growAfter(Duration wait) {
            Objects.requireNonNull(wait, "wait");
            if (wait.isNegative()) {
                throw new IllegalArgumentException("growAfter must not be negative, got " + wait);
            }
            this.growAfter = wait;
            return this;
        }

        /** Starts the first worker (or all, with {@code growAfter(Duration.ZERO)}) and returns the pool. */
        public ProcessPool create() {
            return new ProcessPool(this);
        }
    }
}
