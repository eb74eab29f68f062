package dev.procshare.testkit;

/** How a child JVM ended: its exit code and everything it printed. */
public record JvmResult(long pid, int exitCode, String stdout, String stderr) {

    /**
     * Throws an {@link AssertionError} with the child's output unless it exited with code 0 and printed no
     * JVM warning (the project promises to run warning-free on every supported JDK).
     */
    public JvmResult assertSuccess() {
        if (exitCode != 0) {
            throw failure("exited with " + exitCode);
        }
        return assertNoJvmWarnings();
    }

    /** Throws unless standard error is free of JVM warnings such as {@code WARNING: ...} lines. */
    public JvmResult assertNoJvmWarnings() {
        for (String line : stderr.split("\\R")) {
            if (line.startsWith("WARNING:") || line.contains("VM warning:")) {
                throw failure("printed a JVM warning: " + line);
            }
        }
        return this;
    }

    private AssertionError failure(String what) {
        return new AssertionError("child JVM " + pid + " " + what + "\n--- stdout ---\n" + stdout
                + "\n--- stderr ---\n" + stderr);
    }

    @Override
    public String toString() {
        return "JvmResult[pid=" + pid + ", exit=" + exitCode + ", stdout=" + stdout.length() + " chars, stderr="
                + stderr.length() + " chars]";
    }
}
