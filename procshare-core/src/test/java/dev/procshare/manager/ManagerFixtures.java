package dev.procshare.manager;

import java.io.Serializable;

/** Types the manager tests register and store. */
final class ManagerFixtures {
    private ManagerFixtures() {
    }

    public interface CounterApi {
        void add(int n);

        int total();

        void fail(String message);
    }

    public static final class Counter implements CounterApi {
        private int total;

        @Override
        public void add(int n) {
            total += n;
        }

        @Override
        public int total() {
            return total;
        }

        @Override
        public void fail(String message) {
            throw new IllegalStateException(message);
        }
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
}
