package dev.procshare.manager;

import dev.procshare.manager.contract.ContractFixtures.Counter;
import dev.procshare.manager.contract.ContractFixtures.CounterApi;
import java.io.Serializable;

/** Types the manager tests register and store. */
final class ManagerFixtures {
    private ManagerFixtures() {
    }

    public interface BoxApi {
        String label();

        CounterApi counter();
    }

    public static final class Box implements BoxApi {
        private final String label;
        private final Counter counter = new Counter();

        Box(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }

        @Override
        public CounterApi counter() {
            return counter;
        }
    }

    /** A value with custom serialization, Python's {@code __getstate__}/{@code __setstate__}. */
    public static final class Tally implements Serializable {
        private static final long serialVersionUID = 1L;
        private transient int count;

        public void increment() {
            count++;
        }

        public int count() {
            return count;
        }

        private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
            out.defaultWriteObject();
            out.writeInt(count);
        }

        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            in.defaultReadObject();
            count = in.readInt();
        }
    }

    public interface GateApi {
        /** Waits until the gate is opened, at most {@code millis}; whether it was. */
        boolean pass(long millis) throws InterruptedException;

        /** How many calls wait in {@link #pass} now. */
        int waiting();

        void open();
    }

    /**
     * A user class whose method blocks in the server, as a user's code may. The gate is one for all instances
     * (the server is in the test's JVM): the calls on one instance run one at a time, so a test opens the gate
     * through another.
     */
    public static final class Gate implements GateApi {
        private static volatile java.util.concurrent.CountDownLatch opened;
        private static final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

        static void close() {
            opened = new java.util.concurrent.CountDownLatch(1);
        }

        /** Opens the gate from the test's side (a failed test must not leave a server thread waiting). */
        static void openFromHere() {
            opened.countDown();
        }

        @Override
        public boolean pass(long millis) throws InterruptedException {
            waiting.incrementAndGet();
            try {
                return opened.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
            } finally {
                waiting.decrementAndGet();
            }
        }

        @Override
        public int waiting() {
            return waiting.get();
        }

        @Override
        public void open() {
            opened.countDown();
        }
    }
}
