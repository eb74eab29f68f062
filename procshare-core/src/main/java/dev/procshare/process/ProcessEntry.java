package dev.procshare.process;

/**
 * A child's work given as a class and bytes rather than a serialized lambda
 * ({@link JvmProcess.Builder#entry(Class, byte[])}): the child makes an instance with the public no-argument
 * constructor and calls {@link #run(byte[])}; what it returns is the process's {@link JvmProcess#result()}.
 *
 * <p>Why: a JVM's first Java deserialization costs it 15-30 ms, most of what a cold child spends before its
 * task starts. An entry whose input and output are bytes the caller encodes itself starts that much sooner.
 */
public interface ProcessEntry {
    /** Runs in the child; an exception surfaces in the parent as for a target. */
    byte[] run(byte[] input) throws Exception;
}
