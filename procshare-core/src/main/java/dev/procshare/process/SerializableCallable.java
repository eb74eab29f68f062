package dev.procshare.process;

import java.io.Serializable;
import java.util.concurrent.Callable;

/** A {@link Callable} that can run in another JVM; its result travels back serialized. */
@FunctionalInterface
public interface SerializableCallable<T> extends Callable<T>, Serializable {
}
