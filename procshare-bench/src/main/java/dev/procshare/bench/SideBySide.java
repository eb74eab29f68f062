package dev.procshare.bench;

import dev.procshare.memory.SharedDoubleArray;
import dev.procshare.memory.SharedEvent;
import dev.procshare.memory.SharedLong;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The shared-memory tier next to Python's {@code multiprocessing}, in one run on one machine: increments of
 * one shared counter from 1 and from 2 contending processes, and a 1 M-double bulk write from a child. Prints
 * a Markdown table with ratios and writes it to {@code bench-results/shared-memory.md}.
 *
 * <p>Processes are not pinned: with two workers on this 2-core machine each has a core of its own.
 */
public final class SideBySide {
    private SideBySide() {
    }

    public static void main(String[] args) throws Exception {
        List<String> options = List.of(args);
        boolean quick = options.contains("--quick");
        boolean all = !options.contains("memory") && !options.contains("process") && !options.contains("manager")
                && !options.contains("programs") && !options.contains("queue") && !options.contains("redis");
        Path out = Path.of(System.getProperty("procshare.bench.out", "bench-results"));
        Files.createDirectories(out);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
        if (all || options.contains("memory")) {
            write(out.resolve("shared-memory.md"), stamp, memoryReport(quick));
        }
        if (all || options.contains("process")) {
            write(out.resolve("processes.md"), stamp, processReport(quick));
        }
        if (all || options.contains("manager")) {
            write(out.resolve("manager.md"), stamp, managerReport(quick));
        }
        if (all || options.contains("queue")) {
            write(out.resolve("queue.md"), stamp, queueReport(quick));
        }
        if (all || options.contains("redis")) {
            write(out.resolve("redis.md"), stamp, redisReport(quick));
        }
        if (all || options.contains("programs")) {
            progress("the seed's three programs as whole processes, Java and Python in turn");
            write(out.resolve("programs.md"), stamp,
                    ProgramBench.report(quick ? 1 : 7, pythonVersion(), placement("")));
        }
    }

    private static void write(Path file, String stamp, String report) throws IOException {
        System.out.println();
        System.out.println(report);
        Files.writeString(file, "# " + stamp + "\n\n" + report);
        Path chart = file.resolveSibling(file.getFileName().toString().replace(".md", ".svg"));
        String title = report.lines().findFirst().orElse("procshare vs Python") + " (ratio, log scale; right of 1×: procshare faster)";
        Files.writeString(chart, SvgChart.render(title, report));
        System.out.println("written to " + file + " and " + chart);
    }

    /** Processes and pools next to Python's start methods and {@code Pool(2)}. */
    static String processReport(boolean quick) throws Exception {
        int starts = quick ? 2 : 15;
        int small = quick ? 10_000 : 100_000;
        int large = quick ? 20_000 : 1_000_000;
        int calls = quick ? 500 : 20_000;
        int rounds = quick ? 1 : 3;
        List<Double> bare = ProcessBench.list();
        List<Double> cold = ProcessBench.list();
        List<Double> coldEntry = ProcessBench.list();
        List<Double> warm = ProcessBench.list();
        List<Double> warmBackToBack = ProcessBench.list();
        List<Double> poolFirst = ProcessBench.list();
        List<Double> fourCold = ProcessBench.list();
        List<Double> firstMap = ProcessBench.list();
        List<Double> mapSmall = ProcessBench.list();
        List<Double> mapLarge = ProcessBench.list();
        List<Double> rtMedian = ProcessBench.list();
        List<Double> rtP99 = ProcessBench.list();
        List<Double> applyMedian = ProcessBench.list();
        List<Double> applyP99 = ProcessBench.list();
        List<Map<String, String>> pys = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String r = "round " + round + "/" + rounds + ": ";
            progress(r + "bare JVM start");
            bare.add(ProcessBench.bareJvmStartMs(starts));
            progress(r + "JvmProcess start+join, cold");
            cold.add(ProcessBench.startJoinMs(starts, false));
            progress(r + "JvmProcess start+join, cold, ProcessEntry");
            coldEntry.add(ProcessBench.startJoinEntryMs(starts));
            progress(r + "JvmProcess start+join, warm");
            warm.add(ProcessBench.startJoinMs(starts, true));
            progress(r + "JvmProcess start+join, warm, back to back");
            warmBackToBack.add(ProcessBench.startJoinMs(starts, true, false));
            progress(r + "Pool(4): first task, and 4 cold starts at once");
            poolFirst.add(ProcessBench.poolFirstTaskMs(Math.max(3, starts / 3), 4));
            fourCold.add(ProcessBench.coldStartsTogetherMs(Math.max(3, starts / 3), 4));
            // Both workers from the start, as Python's Pool(2): the map figures are for a pool at full size.
            try (dev.procshare.process.ProcessPool pool = dev.procshare.process.ProcessPool.builder().size(2)
                    .growAfter(java.time.Duration.ZERO).create()) {
                progress(r + "pool map of " + small + " and " + large + " items");
                firstMap.add(ProcessBench.firstMapMs(pool, small));
                mapSmall.add(ProcessBench.mapItemsPerSecond(pool, small, 100));
                mapLarge.add(ProcessBench.mapItemsPerSecond(pool, large, 5));
                progress(r + calls + " submit().get() round trips");
                double[] rt = ProcessBench.submitRoundTripMicros(pool, calls);
                rtMedian.add(rt[0]);
                rtP99.add(rt[1]);
                progress(r + calls + " apply() round trips");
                double[] ap = ProcessBench.applyRoundTripMicros(pool, calls);
                applyMedian.add(ap[0]);
                applyP99.add(ap[1]);
            }
            progress(r + "Python, the same with multiprocessing");
            pys.add(runPython("process_bench.py", starts, small, large, calls));
        }
        Map<String, String> py = pys.get(0);
        double pyFork = median(pys, "start_join_fork_ms", 1);
        double pyForkserver = median(pys, "start_join_forkserver_ms", 1);
        double pySpawn = median(pys, "start_join_spawn_ms", 1);
        StringBuilder t = new StringBuilder();
        t.append("| work | Python multiprocessing | procshare | ratio (higher: procshare better) |\n|---|---:|---:|---:|\n");
        row(t, "start + join of an empty target, cold (Python: spawn)", fmtMs(pySpawn), fmtMs(ProcessBench.median(cold)),
                pySpawn / ProcessBench.median(cold));
        row(t, "start + join of an empty `ProcessEntry`, cold (Python: spawn)", fmtMs(pySpawn),
                fmtMs(ProcessBench.median(coldEntry)), pySpawn / ProcessBench.median(coldEntry));
        row(t, "start + join, warm JVM (Python: forkserver)", fmtMs(pyForkserver), fmtMs(ProcessBench.median(warm)),
                pyForkserver / ProcessBench.median(warm));
        row(t, "start + join, Python fork vs our warm JVM", fmtMs(pyFork), fmtMs(ProcessBench.median(warm)),
                pyFork / ProcessBench.median(warm));
        // Not against Python (no ratio in ×, which the chart reads): warm against cold, pool against cold starts.
        t.append("| start + join, warm JVM, back to back (no pause between starts) | | ")
                .append(fmtMs(ProcessBench.median(warmBackToBack)))
                .append(String.format(Locale.ROOT, " | cold/warm = %.2f |%n",
                        ProcessBench.median(cold) / ProcessBench.median(warmBackToBack)));
        t.append("| new `Pool(4)` until its first task is answered | | ").append(fmtMs(ProcessBench.median(poolFirst)))
                .append(String.format(Locale.ROOT, " | 4 cold starts at once, all joined: %s (%.2f times) |%n",
                        fmtMs(ProcessBench.median(fourCold)),
                        ProcessBench.median(fourCold) / ProcessBench.median(poolFirst)));
        t.append("| bare JVM start + exit (reference for cold) | | ").append(fmtMs(ProcessBench.median(bare)))
                .append(String.format(Locale.ROOT, " | cold/bare = %.2f (entry: %.2f) |%n",
                        ProcessBench.median(cold) / ProcessBench.median(bare),
                        ProcessBench.median(coldEntry) / ProcessBench.median(bare)));
        double pySmall = median(pys, "map_small_items_per_s", 1);
        double pyLarge = median(pys, "map_large_items_per_s", 1);
        row(t, "`map` of x*x over " + small + " items, 2 workers, items/s (after 100 warm-up maps)", fmtRate(pySmall),
                fmtRate(ProcessBench.median(mapSmall)), ProcessBench.median(mapSmall) / pySmall);
        row(t, "`map` of x*x over " + large + " items, 2 workers, items/s (after 5 more)", fmtRate(pyLarge),
                fmtRate(ProcessBench.median(mapLarge)), ProcessBench.median(mapLarge) / pyLarge);
        double pyFirst = median(pys, "first_map_ms", 1);
        row(t, "the first `map` of " + small + " items on a new pool (JIT not warm yet)", fmtMs(pyFirst),
                fmtMs(ProcessBench.median(firstMap)), pyFirst / ProcessBench.median(firstMap));
        double pyRt = median(pys, "apply_async_median_us", 1);
        double pyRt99 = median(pys, "apply_async_p99_us", 1);
        row(t, "`submit(...).get()` round trip, median (Python: `apply_async().get()`)", fmtUs(pyRt),
                fmtUs(ProcessBench.median(rtMedian)), pyRt / ProcessBench.median(rtMedian));
        row(t, "the same, p99", fmtUs(pyRt99), fmtUs(ProcessBench.median(rtP99)), pyRt99 / ProcessBench.median(rtP99));
        double pyAp = median(pys, "apply_median_us", 1);
        double pyAp99 = median(pys, "apply_p99_us", 1);
        row(t, "`apply(...)` round trip, median (Python: `apply`)", fmtUs(pyAp),
                fmtUs(ProcessBench.median(applyMedian)), pyAp / ProcessBench.median(applyMedian));
        row(t, "the same, p99", fmtUs(pyAp99), fmtUs(ProcessBench.median(applyP99)),
                pyAp99 / ProcessBench.median(applyP99));
        return "Processes and pools vs Python " + pythonVersion() + ", Java " + Runtime.version() + ", "
                + placement("") + ", median of " + rounds + " rounds"
                + (quick ? " — QUICK MODE, figures not meaningful" : "") + "\n\n" + t;
    }

    /** The manager next to Python's {@code multiprocessing.Manager} and {@code BaseManager}. */
    static String managerReport(boolean quick) throws Exception {
        int calls = quick ? 2_000 : 20_000;
        int starts = quick ? 2 : 7;
        int tput = quick ? 2_000 : 100_000;
        int rounds = quick ? 1 : 3;
        Map<String, List<Double>> medians = new LinkedHashMap<>();
        Map<String, List<Double>> p99s = new LinkedHashMap<>();
        List<Double> tput1 = new ArrayList<>();
        List<Double> tput2 = new ArrayList<>();
        List<Double> startOwn = new ArrayList<>();
        List<Double> startIn = new ArrayList<>();
        List<Double> startReady = new ArrayList<>();
        List<Map<String, String>> pys = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String r = "round " + round + "/" + rounds + ": ";
            progress(r + calls + " calls of each kind");
            ManagerBench.latencies(calls).forEach((op, mp) -> {
                medians.computeIfAbsent(op, k -> new ArrayList<>()).add(mp[0]);
                p99s.computeIfAbsent(op, k -> new ArrayList<>()).add(mp[1]);
            });
            progress(r + "throughput with 1 and 2 client JVMs");
            tput1.add(ManagerBench.throughput(1, tput));
            tput2.add(ManagerBench.throughput(2, tput));
            progress(r + "Manager.start()");
            double[] st = ManagerBench.startMs(starts);
            startOwn.add(st[0]);
            startReady.add(st[1]);
            startIn.add(st[2]);
            progress(r + "Python, the same with multiprocessing managers");
            pys.add(runPython("manager_bench.py", calls, starts, tput));
        }
        StringBuilder t = new StringBuilder();
        t.append("| work | Python multiprocessing | procshare | ratio (higher: procshare better) |\n|---|---:|---:|---:|\n");
        Map<String, String> names = new LinkedHashMap<>();
        names.put("namespace_set", "namespace set (`ns.x = 1` / `ns.set`)");
        names.put("namespace_get", "namespace get");
        names.put("value_get", "`Value` get (Python `Manager().Value`)");
        names.put("value_set", "`Value` set");
        names.put("map_put", "dict/map put");
        names.put("map_get", "dict/map get");
        names.put("list_append", "list append");
        names.put("user_call", "registered class method call");
        for (Map.Entry<String, String> e : names.entrySet()) {
            double pyMed = median(pys, e.getKey() + "_median_us", 1);
            double pyP99 = median(pys, e.getKey() + "_p99_us", 1);
            double med = median(medians.get(e.getKey()));
            double p99 = median(p99s.get(e.getKey()));
            row(t, e.getValue() + ", median", fmtUs(pyMed), fmtUs(med), pyMed / med);
            row(t, e.getValue() + ", p99", fmtUs(pyP99), fmtUs(p99), pyP99 / p99);
        }
        double py1 = median(pys, "throughput_1_client", 1);
        double py2 = median(pys, "throughput_2_clients", 1);
        row(t, "namespace reads/s, 1 client process", fmtRate(py1), fmtRate(median(tput1)), median(tput1) / py1);
        row(t, "namespace reads/s, 2 client processes (total)", fmtRate(py2), fmtRate(median(tput2)), median(tput2) / py2);
        double pyFork = median(pys, "start_fork_ms", 1);
        double pySpawn = median(pys, "start_spawn_ms", 1);
        row(t, "`Manager.start()` returns, server in its own JVM (Python: spawn)", fmtMs(pySpawn),
                fmtMs(median(startOwn)), pySpawn / median(startOwn));
        row(t, "`Manager.start()` returns, server in its own JVM (Python: fork)", fmtMs(pyFork),
                fmtMs(median(startOwn)), pyFork / median(startOwn));
        row(t, "`Manager.start()` + first call answered (Python: spawn, which waits for the server)", fmtMs(pySpawn),
                fmtMs(median(startReady)), pySpawn / median(startReady));
        t.append("| `Manager.builder().inProcess().start()` (no Python equivalent) | | ")
                .append(fmtMs(median(startIn))).append(" | |\n");
        return "Manager vs Python " + pythonVersion() + " (start method fork), Java " + Runtime.version() + ", "
                + placement("client and server ") + ", median of " + rounds + " rounds" + (quick ? " — QUICK MODE, figures not meaningful" : "") + "\n\n" + t;
    }

    /** One producer process to one consumer process through a queue, next to {@code multiprocessing.Queue}. */
    /**
     * The Redis backend next to the socket manager (TCP, and its default Unix socket) and Python's manager over
     * TCP, one client each, on loopback, not pinned: medians of each round's median, p99 likewise.
     */
    static String redisReport(boolean quick) throws Exception {
        int calls = quick ? 1_000 : 20_000;
        int rounds = quick ? 1 : 3;
        Map<String, List<Double>> medians = new LinkedHashMap<>();
        Map<String, List<Double>> p99s = new LinkedHashMap<>();
        List<Map<String, String>> pys = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String r = "round " + round + "/" + rounds + ": ";
            progress(r + calls + " calls of each kind on Redis, the socket manager over TCP and over its Unix socket");
            RedisBench.latencies(calls).forEach((op, mp) -> {
                medians.computeIfAbsent(op, k -> new ArrayList<>()).add(mp[0]);
                p99s.computeIfAbsent(op, k -> new ArrayList<>()).add(mp[1]);
            });
            progress(r + "Python, the same with a SyncManager over TCP");
            pys.add(runPython("redis_bench.py", calls));
        }
        StringBuilder t = new StringBuilder();
        t.append("Round trips on loopback, one client, not pinned ").append(placement("")).append(": median (p99) µs.\n\n");
        t.append("| call | Python manager, TCP | procshare on Redis | socket manager, TCP | socket manager, Unix socket"
                + " | Redis vs Python | Redis vs socket TCP |\n|---|---:|---:|---:|---:|---:|---:|\n");
        Map<String, String> names = new LinkedHashMap<>();
        names.put("ns_get", "namespace get");
        names.put("map_merge", "map merge (Python: `d[k] = d.get(k, 0) + 1`, 2 calls, not atomic)");
        names.put("lock", "lock + unlock");
        names.forEach((op, label) -> {
            double py = median(pys, "python_" + op + "_median", 1);
            double pyP99 = median(pys, "python_" + op + "_p99", 1);
            double redis = median(medians.get("redis " + op));
            double tcp = median(medians.get("tcp " + op));
            double unix = median(medians.get("unix " + op));
            t.append("| ").append(label)
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f (%.0f)", py, pyP99))
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f (%.0f)", redis, median(p99s.get("redis " + op))))
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f (%.0f)", tcp, median(p99s.get("tcp " + op))))
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f (%.0f)", unix, median(p99s.get("unix " + op))))
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f×", py / redis))
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f×", tcp / redis)).append(" |\n");
        });
        return t.toString();
    }

    static String queueReport(boolean quick) throws Exception {
        int items = quick ? 20_000 : 1_000_000;
        int managerItems = quick ? 5_000 : 100_000;
        int warmUp = quick ? 5_000 : 100_000;
        int rounds = quick ? 1 : 3;
        List<Double> shared = new ArrayList<>();
        List<Double> managed = new ArrayList<>();
        List<Map<String, String>> pys = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String r = "round " + round + "/" + rounds + ": ";
            progress(r + items + " items through a SharedQueue");
            shared.add(QueueBench.sharedQueue(items, warmUp));
            progress(r + managerItems + " items through manager.queue()");
            managed.add(QueueBench.managerQueue(managerItems, warmUp));
            progress(r + "Python, the same with multiprocessing.Queue and Manager().Queue");
            pys.add(runPython("queue_bench.py", items, managerItems, warmUp));
        }
        double py = median(pys, "queue_items_per_s", 1);
        double pyManager = median(pys, "manager_queue_items_per_s", 1);
        double ours = median(shared);
        double ourManager = median(managed);
        StringBuilder t = new StringBuilder();
        t.append("| work | Python multiprocessing | procshare | ratio (higher: procshare better) |\n|---|---:|---:|---:|\n");
        row(t, "items/s, `SharedQueue` (Python: `Queue(" + QueueBench.CAPACITY + ")`)", fmtRate(py), fmtRate(ours),
                ours / py);
        row(t, "per item, the same", fmtUs(1e6 / py), fmtUs(1e6 / ours), ours / py);
        row(t, "items/s, `manager.queue(" + QueueBench.CAPACITY + ")` (Python: `Manager().Queue(" + QueueBench.CAPACITY
                + ")`)", fmtRate(pyManager), fmtRate(ourManager), ourManager / pyManager);
        row(t, "per item, the same", fmtUs(1e6 / pyManager), fmtUs(1e6 / ourManager), ourManager / pyManager);
        return "Queues, one producer process to one consumer process, Integer items, vs Python " + pythonVersion()
                + " (start method " + pys.get(0).get("start_method") + "), Java " + Runtime.version() + ", "
                + placement("processes ") + ", median of " + rounds + " rounds"
                + (quick ? " — QUICK MODE, figures not meaningful" : "") + "\n\n" + t;
    }

    private static String fmtMs(double ms) {
        return String.format(Locale.ROOT, "%.1f ms", ms);
    }

    private static String fmtUs(double us) {
        return String.format(Locale.ROOT, us < 100 ? "%.1f µs" : "%.0f µs", us);
    }

    /** The shared-memory tier next to Python's {@code Value}, {@code RawValue} and {@code Array}. */
    static String memoryReport(boolean quick) throws Exception {
        long javaOps1 = quick ? 2_000_000 : 200_000_000;
        long javaOps2 = quick ? 1_000_000 : 50_000_000;
        int pyOps1 = quick ? 20_000 : 1_000_000;
        int pyOps2 = quick ? 10_000 : 500_000;
        int repeats = quick ? 5 : 31;

        int rounds = quick ? 1 : 3;
        List<Double> java1s = new ArrayList<>();
        List<Double> java2s = new ArrayList<>();
        List<Double> javaBulkMedians = new ArrayList<>();
        List<Double> javaBulkFirsts = new ArrayList<>();
        List<Map<String, String>> pys = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            progress("round " + round + "/" + rounds + ": Java, 1 process, " + javaOps1 + " increments");
            java1s.add(counterOpsPerSecond(1, javaOps1));
            progress("round " + round + "/" + rounds + ": Java, 2 processes, " + javaOps2 + " increments each");
            java2s.add(counterOpsPerSecond(2, javaOps2));
            progress("round " + round + "/" + rounds + ": Java, 1M-double bulk write from a child");
            long[] bulk = bulkWriteNanos(repeats);
            javaBulkFirsts.add((double) bulk[0]);
            javaBulkMedians.add((double) bulk[1]);
            progress("round " + round + "/" + rounds + ": Python, the same with multiprocessing");
            pys.add(runPython("shared_memory_bench.py", pyOps1, pyOps2, repeats));
        }
        double java1 = median(java1s);
        double java2 = median(java2s);
        long[] javaBulk = {(long) median(javaBulkFirsts), (long) median(javaBulkMedians)};
        Map<String, String> py = pys.get(0);
        double py1 = median(pys, "value_lock_1proc_ops_per_s", 1);
        double py2 = median(pys, "value_lock_2proc_ops_per_s", 1);
        double pyBulkMedian = median(pys, "array_bulk_write_median_s", 1e9);
        double pyBulkFirst = median(pys, "array_bulk_write_first_s", 1e9);
        double lost = median(pys, "rawvalue_2proc_lost_fraction", 1);

        StringBuilder table = new StringBuilder();
        table.append("| work | Python multiprocessing | procshare | ratio |\n|---|---:|---:|---:|\n");
        row(table, "increments/s, 1 process (Python: `Value` + `get_lock()`)", fmtRate(py1), fmtRate(java1),
                java1 / py1);
        row(table, "increments/s, 2 contending processes (total)", fmtRate(py2), fmtRate(java2), java2 / py2);
        table.append("| updates lost, 2 processes without a lock (Python: `RawValue`) | ")
                .append(String.format(Locale.ROOT, "%.0f %%", lost * 100)).append(" | 0 (atomic) | |\n");
        row(table, "1 M-double bulk write from a child, median", fmtMillis(pyBulkMedian), fmtMillis(javaBulk[1]),
                pyBulkMedian / javaBulk[1]);
        row(table, "1 M-double bulk write, first (page faults)", fmtMillis(pyBulkFirst), fmtMillis(javaBulk[0]),
                pyBulkFirst / javaBulk[0]);

        String header = "Shared-memory tier vs Python " + pythonVersion() + " (start method "
                + py.get("start_method") + "), Java " + Runtime.version() + ", "
                + placement("processes ") + ", median of " + rounds + " rounds"
                + (quick ? " — QUICK MODE, figures not meaningful" : "") + "\n\n";
        return header + table;
    }

    /** Total increments per second of {@code workers} JVMs, timed from a common start signal; count checked. */
    static double counterOpsPerSecond(int workers, long opsEach) throws Exception {
        try (SharedLong counter = SharedLong.create(0);
             SharedEvent go = SharedEvent.create();
             SharedLong ready = SharedLong.create(0)) {
            List<Process> processes = new ArrayList<>();
            try {
                for (int i = 0; i < workers; i++) {
                    processes.add(Workers.start("counter-worker", List.of(counter, go, ready),
                            Long.toString(opsEach)));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (ready.get() < workers) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("workers did not get ready");
                    }
                    Thread.sleep(1);
                }
                go.set();
                long slowest = 0;
                for (Process p : processes) {
                    slowest = Math.max(slowest, Long.parseLong(Workers.finish(p).trim()));
                }
                long expected = workers * (opsEach + CounterWorker.WARMUP);
                if (counter.get() != expected) {
                    throw new IllegalStateException("lost updates: " + counter.get() + " != " + expected);
                }
                return workers * opsEach * 1e9 / slowest;
            } finally {
                processes.forEach(Process::destroyForcibly);
            }
        }
    }

    /** {first, median} nanoseconds of a child writing 1 M doubles with one bulk copy; content checked. */
    static long[] bulkWriteNanos(int repeats) throws Exception {
        try (SharedDoubleArray array = SharedDoubleArray.create(1_000_000)) {
            Process p = Workers.start("bulk-worker", List.of(array), Integer.toString(repeats));
            String[] out;
            try {
                out = Workers.finish(p).trim().split(" ");
            } finally {
                p.destroyForcibly();
            }
            if (array.get(999_999) != 999_999 * 0.5) {
                throw new IllegalStateException("bulk write incomplete");
            }
            return new long[] {Long.parseLong(out[0]), Long.parseLong(out[1])};
        }
    }

    static Map<String, String> runPython(String name, int... args) throws IOException, InterruptedException {
        Path script = Files.createTempFile("procshare-bench", ".py");
        try (InputStream in = SideBySide.class.getResourceAsStream(name)) {
            Files.write(script, in.readAllBytes());
            List<String> command = new ArrayList<>(List.of("python3", script.toString()));
            for (int a : args) {
                command.add(Integer.toString(a));
            }
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("python3 benchmark failed: " + out);
            }
            Map<String, String> figures = new HashMap<>();
            for (String line : out.split("\\R")) {
                String[] kv = line.trim().split(" ", 2);
                if (kv.length == 2) {
                    figures.put(kv[0], kv[1]);
                }
            }
            if ("0".equals(figures.get("value_lock_1proc_exact")) || "0".equals(figures.get("value_lock_2proc_exact"))
                    || "0".equals(figures.get("array_bulk_write_ok"))) {
                throw new IllegalStateException("python3 benchmark gave wrong results: " + figures);
            }
            return figures;
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static double median(List<Map<String, String>> runs, String key, double scale) {
        List<Double> values = new ArrayList<>();
        for (Map<String, String> run : runs) {
            values.add(Double.parseDouble(run.get(key)) * scale);
        }
        return median(values);
    }

    /**
     * "2 CPUs, not pinned", or "1 of 2 CPUs, pinned (taskset)" when this JVM may run on fewer CPUs than the
     * machine has online: the JVMs and Python processes it starts inherit that affinity.
     */
    private static String placement(String who) {
        int usable = Runtime.getRuntime().availableProcessors();
        int online = onlineCpus();
        if (online > usable) {
            return usable + " of " + online + " CPUs, " + who + "pinned (taskset)";
        }
        return usable + " CPUs, " + who + "not pinned";
    }

    /** The CPUs the kernel has online (Linux: /sys/devices/system/cpu/online, e.g. "0-1"), or 0 if unknown. */
    private static int onlineCpus() {
        try {
            int n = 0;
            for (String range : java.nio.file.Files.readString(java.nio.file.Path.of("/sys/devices/system/cpu/online"))
                    .trim().split(",")) {
                String[] ends = range.split("-");
                n += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
            }
            return n;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    private static String pythonVersion() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return v.replace("Python ", "");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    private static void row(StringBuilder table, String work, String python, String ours, double ratio) {
        table.append("| ").append(work).append(" | ").append(python).append(" | ").append(ours).append(" | ")
                .append(String.format(Locale.ROOT, "%.1f×", ratio)).append(" |\n");
    }

    private static String fmtRate(double perSecond) {
        return perSecond >= 1e6 ? String.format(Locale.ROOT, "%.1f M", perSecond / 1e6)
                : String.format(Locale.ROOT, "%.0f k", perSecond / 1e3);
    }

    private static String fmtMillis(double nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    private static void progress(String what) {
        System.out.println("... " + what);
    }
}
