package dev.procshare.cli;

/** A type the CLI test registers with {@code manager serve --register}. */
public final class CliFixtures {
    private CliFixtures() {
    }

    public interface CounterApi {
        int add(int n);
    }

    public static final class Counter implements CounterApi {
        private int total;

        public Counter() {
        }

        @Override
        public int add(int n) {
            total += n;
            return total;
        }
    }
}
