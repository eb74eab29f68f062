package dev.procshare.codec;

import java.io.InvalidObjectException;
import java.util.List;

/**
 * A descriptor that {@link FastCodec} writes as its class name and a few plain values, and rebuilds in the
 * receiving JVM without Java serialization: what procshare's own handles (a shared-memory segment and
 * offset, a manager address and object id) travel as. A JVM's first {@code ObjectInputStream} sets up the
 * serial-filter configuration and the platform logger, and a fresh JVM interprets all of it: 60-120 ms of
 * a child's start here, for a task that only captured a {@code SharedBoolean}.
 *
 * <p>Only classes that implement this interface and registered a {@link Factory} in their static
 * initializer are rebuilt; a stream naming any other class is refused before that class is initialized.
 * Codecs with an allow-list also check the class against it. Not for application classes: procshare's
 * handles implement it.
 */
public interface Portable {
    /** The values the factory rebuilds this from: only what {@link FastCodec} writes natively. */
    List<Object> portableValues();

    /** A value that travels in the place of another (its {@code writeReplace}), as a {@link Portable}. */
    interface Replaced {
        /** The descriptor that stands for this value in another process. */
        Portable portable();
    }

    /** Rebuilds a {@link Portable} from its values in the receiving JVM (a handle attaches there). */
    interface Factory {
        Object rebuild(List<?> values) throws InvalidObjectException;
    }

    /** Registers the factory of {@code type}; called from the type's own static initializer. */
    static void register(Class<? extends Portable> type, Factory factory) {
        FastCodec.PORTABLE_FACTORIES.put(type, factory);
    }
}
