package dev.procshare.process;

import java.io.Serializable;

/**
 * A {@link Runnable} that can run in another JVM: a lambda written where this type is expected is
 * serializable, and so are the variables it captures (which must themselves be serializable: shared handles,
 * manager proxies, values).
 */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable {
}
