package dev.procshare.process;

import java.io.Serializable;
import java.util.function.BiFunction;

/** A {@link BiFunction} for {@link ProcessPool#starmap}: it travels to the workers serialized. */
@FunctionalInterface
public interface SerializableBiFunction<A, B, R> extends BiFunction<A, B, R>, Serializable {
}
