package dev.procshare.bench;

/** An empty program: the cost of starting a bare JVM, for comparison. */
public final class Trivial {
    private Trivial() {
    }

    public static void main(String[] args) {
        // nothing: only the JVM's own start and exit are measured
    }
}
