package dev.procshare.process;

import java.io.Serializable;
import java.util.function.Function;

/** A {@link Function} that pool workers apply: it travels to them serialized, with what it captures. */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Function<T, R>, Serializable {
}
