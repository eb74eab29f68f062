package dev.procshare.examples;

import dev.procshare.manager.ManagedLock;
import dev.procshare.manager.ManagedValue;
import dev.procshare.manager.Manager;
import dev.procshare.manager.Namespace;
import dev.procshare.process.ProcessPool;
import java.util.List;

/**
 * Seed section 2: a manager namespace holding a {@link MyClass}, updated by a pool of 4 workers that also
 * call the shared {@link MyModule#myFunction()}; then a manager value and a manager list of {@code MyClass}
 * (what the seed's {@code manager.Value('i', 0)} and {@code manager.Array('d', [MyClass()])} meant).
 *
 * <p>The seed's code fetches the object, changes it and writes it back: with 4 workers that loses updates
 * (measured in Python), and its {@code Array('d', [MyClass()])} raises, and {@code pool.map(f, a, b)} passes
 * {@code b} as the chunk size. Here the namespace update runs atomically on the server, the value is
 * updated atomically, and the list's read-modify-write holds a manager lock: the result is 4 every run.
 */
public final class NamespacePoolDemo {
    private NamespacePoolDemo() {
    }

    /** The three final counts: namespace object, managed value, object in the managed list. */
    public record Result(int namespaceValue, int managedValue, int listObjectValue) {
        public boolean allFour() {
            return namespaceValue == 4 && managedValue == 4 && listObjectValue == 4;
        }
    }

    public static void main(String[] args) throws Exception {
        if (!run().allFour()) {
            System.exit(1);
        }
    }

    /** The worker function: the seed's {@code worker_func}. */
    static String workerFunc(Namespace sharedNamespace) {
        sharedNamespace.update("myObject", (MyClass myObject) -> {
            myObject.increment(); // runs on the server, holding the namespace: no other worker interleaves
            return myObject;
        });
        return MyModule.myFunction();
    }

    public static Result run() throws Exception {
        try (Manager manager = Manager.builder().allowPackage("dev.procshare.examples").start();
             ProcessPool pool = ProcessPool.create(4)) {
            Namespace sharedNamespace = manager.namespace();
            sharedNamespace.set("myObject", new MyClass());
            List<String> calls = pool.map(i -> workerFunc(sharedNamespace), List.of(1, 2, 3, 4), 1);
            calls.forEach(c -> System.out.println("[worker] " + c));
            MyClass myObject = sharedNamespace.get("myObject");
            System.out.println("[main] namespace: " + myObject);

            ManagedValue<Integer> sharedValue = manager.value(0);
            List<MyClass> sharedList = manager.list();
            sharedList.add(new MyClass());
            ManagedLock listLock = manager.lock();
            pool.map(i -> {
                sharedValue.update(v -> v + 1);
                listLock.lock();
                try {
                    MyClass o = sharedList.get(0); // a copy, changed here and written back under the lock
                    o.increment();
                    sharedList.set(0, o);
                } finally {
                    listLock.unlock();
                }
                return MyModule.myFunction();
            }, List.of(1, 2, 3, 4), 1);
            System.out.println("[main] managed value: " + sharedValue.get() + ", managed list: " + sharedList);
            return new Result(myObject.value(), sharedValue.get(), sharedList.get(0).value());
        }
    }
}
