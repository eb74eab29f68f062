package dev.procshare.examples;

import dev.procshare.manager.ManagedLock;
import dev.procshare.manager.Manager;
import dev.procshare.manager.Namespace;
import dev.procshare.manager.SharedMap;
import dev.procshare.memory.SharedBoolean;
import dev.procshare.memory.SharedDoubleArray;
import dev.procshare.memory.SharedLock;
import dev.procshare.memory.SharedLong;
import dev.procshare.process.JvmProcess;
import dev.procshare.process.ProcessPool;
import java.util.List;
import java.util.concurrent.BlockingQueue;

/**
 * The README's quick starts, compiled and run by the tests; the README shows the text between the
 * {@code snippet} markers, and {@code ReadmeSnippetsTest} checks that it still matches.
 */
public final class QuickStart {
    private QuickStart() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("shared memory: " + sharedMemory());
        System.out.println("processes and pools: " + processesAndPools());
        System.out.println("manager: " + manager());
    }

    static long sharedMemory() throws Exception {
        long result;
        // snippet:begin shared-memory
        try (SharedBoolean done = SharedBoolean.create(false);      // Value(c_bool, False)
             SharedLong counter = SharedLong.create(0);             // Value('q', 0): atomic, no lock needed
             SharedDoubleArray data = SharedDoubleArray.create(1_000_000);  // Array('d', 1_000_000)
             SharedLock lock = SharedLock.create()) {               // Lock(), process-shared and robust
            JvmProcess child = JvmProcess.builder().name("ttt").daemon(true)
                    .target(() -> {                                 // the handles travel as descriptors
                        counter.incrementAndGet();                  // one atomic instruction
                        data.set(0, 3.14);
                        done.set(true);                             // a volatile write: visible to the parent
                    })
                    .start();
            child.join();
            lock.lock();                                            // several values changed together
            try {
                if (lock.previousOwnerDied()) { /* the last holder was killed mid-update: repair */ }
                counter.addAndGet(10);
            } finally {
                lock.unlock();
            }
            System.out.println(done.get() + " " + counter.get() + " " + data.get(0));   // true 11 3.14
            // snippet:end shared-memory
            result = counter.get();
        }
        return result;
    }

    static List<Integer> processesAndPools() throws Exception {
        List<Integer> result;
        // snippet:begin processes
        try (ProcessPool pool = ProcessPool.create(4);              // Pool(processes=4): up to 4 worker JVMs
             SharedLong hits = SharedLong.create(0)) {
            List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3, 4));   // ordered, like Pool.map
            pool.map(x -> hits.incrementAndGet(), List.of(1, 2, 3, 4));          // shared handles in tasks
            String where = pool.submit(() -> JvmProcess.current().name()).get(); // an ExecutorService
            JvmProcess child = JvmProcess.builder().call(() -> 6 * 7).start();   // Process with a result
            int answer = child.result();
            System.out.println(squares + " " + hits.get() + " " + where + " " + answer);  // [1, 4, 9, 16] 4 PoolWorker-1 42
            // snippet:end processes
            result = squares;
        }
        return result;
    }

    static int manager() throws Exception {
        int result;
        // snippet:begin manager
        try (Manager manager = Manager.builder()                    // Manager(): a server in its own JVM
                     .allowPackage("dev.procshare.examples")        // your value classes may cross
                     .register("Test", TestApi.class, Test::new)    // BaseManager.register('Test', Test)
                     .start();
             ProcessPool pool = ProcessPool.create(4)) {
            Namespace ns = manager.namespace();                     // Manager().Namespace()
            ns.set("myObject", new MyClass());
            pool.map(i -> ns.update("myObject", (MyClass o) -> {    // runs on the server: atomic
                o.increment();
                return o;
            }), List.of(1, 2, 3, 4));
            MyClass myObject = ns.get("myObject");                  // value 4, every run

            SharedMap<String, Integer> dict = manager.map();        // Manager().dict(): a ConcurrentMap
            pool.map(i -> dict.merge("hits", 1, Integer::sum), List.of(1, 2, 3, 4));
            BlockingQueue<String> queue = manager.queue();          // Manager().Queue()
            ManagedLock lock = manager.lock();                      // Manager().Lock(): a Lock

            TestApi test = manager.create("Test", TestApi.class);   // one instance, many processes
            JvmProcess.builder().target(() -> test.setTestList("process 2", "process modify")).start().join();
            System.out.println(myObject.value() + " " + dict.get("hits") + " " + test.printTestList("main"));
            // snippet:end manager
            result = myObject.value() + dict.get("hits");
        }
        return result;
    }
}
