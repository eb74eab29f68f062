package dev.procshare.manager;

import dev.procshare.codec.AllowList;
import dev.procshare.codec.Codec;
import dev.procshare.codec.FastCodec;
import dev.procshare.codec.JavaCodec;

/**
 * Makes the codec a manager's server and all its clients use for requests and replies. The server names
 * the provider's class to each client after authentication and the client makes its own instance (so the
 * class must be on every client's classpath and have a public no-argument constructor). A codec must refuse
 * to deserialize classes that {@code allowList} does not allow.
 *
 * <p>The default is {@link #standard()}: {@link FastCodec} for null, boxes, strings, primitive arrays and
 * lists and maps of those, Java serialization restricted by the allow-list for everything else.
 */
public interface CodecProvider {
    Codec create(AllowList allowList);

    /** The default provider. */
    static CodecProvider standard() {
        return new Standard();
    }

    /** {@link FastCodec} with allow-listed Java serialization behind it. */
    final class Standard implements CodecProvider {
        public Standard() {
        }

        @Override
        public Codec create(AllowList allowList) {
            return FastCodec.withFallback(JavaCodec.restricted(allowList));
        }
    }

    /** Instantiates the provider class named {@code className}, for a client told it by its server. */
    static CodecProvider named(String className) {
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> type = Class.forName(className, true, loader != null ? loader : CodecProvider.class.getClassLoader());
            if (!CodecProvider.class.isAssignableFrom(type)) {
                throw new ManagerException("the manager names " + className + " as its codec, which is not a CodecProvider");
            }
            return (CodecProvider) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ManagerException("the manager's codec " + className + " cannot be made here (it must be on"
                    + " this JVM's classpath with a public no-argument constructor): " + e, e);
        }
    }
}
