package dev.procshare.manager.contract;

import java.io.Serializable;
import java.util.Objects;

/**
 * The types {@link ManagerContract} registers and stores. Public, so that the suites of other backends (in
 * other modules, through core's test-jar) use the very same classes. {@link ManagerContract#configure} allows
 * each user class by name, never this outer class: allowing {@code ContractFixtures} would allow every class
 * nested in it, {@link NotAllowed} among them.
 */
public final class ContractFixtures {
    private ContractFixtures() {
    }

    /** The interface of the registered type {@code "Counter"}. */
    public interface CounterApi {
        void add(int n);

        int total();

        /** Throws {@link IllegalStateException} with {@code message}. */
        void fail(String message);

        /** Throws the checked {@link LimitExceeded} if the total is above {@code limit}. */
        void check(int limit) throws LimitExceeded;
    }

    /**
     * The registered type {@code "Counter"}. Deliberately not synchronized: the manager promises that calls on
     * one registered instance run one at a time, and an exact total across processes shows it keeps that.
     */
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

        @Override
        public void check(int limit) throws LimitExceeded {
            if (total > limit) {
                throw new LimitExceeded("total " + total + " is above " + limit);
            }
        }
    }

    /** A checked exception of the user's, declared by {@link CounterApi#check}; allowed, so it travels as itself. */
    public static final class LimitExceeded extends Exception {
        private static final long serialVersionUID = 1L;

        public LimitExceeded(String message) {
            super(message);
        }
    }

    /** An immutable user value, allowed by {@link ManagerContract#configure}. */
    public static final class Point implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int x;
        private final int y;

        public Point(int x, int y) {
            this.x = x;
            this.y = y;
        }

        public int x() {
            return x;
        }

        public int y() {
            return y;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Point p && p.x == x && p.y == y;
        }

        @Override
        public int hashCode() {
            return Objects.hash(x, y);
        }

        @Override
        public String toString() {
            return "Point(" + x + ", " + y + ")";
        }
    }

    /**
     * A serializable user class that {@link ManagerContract#configure} does not allow: storing one must be
     * refused, naming it.
     */
    public static final class NotAllowed implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String payload = "refused";

        @Override
        public String toString() {
            return "NotAllowed(" + payload + ")";
        }
    }
}
