package dev.procshare.examples;

import dev.procshare.process.JvmProcess;

/**
 * The seed's {@code my_module}: a package-level function every worker calls. In Java it is a static method on
 * the classpath, which every worker JVM has (the same classpath as its parent), so nothing is imported by hand.
 */
public final class MyModule {
    private MyModule() {
    }

    public static String myFunction() {
        return "my_function ran in " + JvmProcess.current().name() + " (pid " + ProcessHandle.current().pid() + ")";
    }
}
