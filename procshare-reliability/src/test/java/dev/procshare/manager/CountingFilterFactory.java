package dev.procshare.manager;

import java.io.ObjectInputFilter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BinaryOperator;

/**
 * The JVM-wide serial filter factory of the reliability suite's JVM (set with {@code -Djdk.serialFilterFactory}
 * in the pom): it counts every {@code ObjectInputStream} made, so that a test can prove nothing was
 * deserialized while it ran.
 */
public final class CountingFilterFactory implements BinaryOperator<ObjectInputFilter> {
    static final AtomicLong STREAMS = new AtomicLong();

    @Override
    public ObjectInputFilter apply(ObjectInputFilter current, ObjectInputFilter next) {
        if (current == null) {
            STREAMS.incrementAndGet(); // the call made as each stream is constructed
        }
        return next;
    }
}
