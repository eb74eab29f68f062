package dev.procshare.memory;

import dev.procshare.codec.AllowList;
import dev.procshare.codec.ClassNotAllowedException;
import dev.procshare.codec.Codec;
import dev.procshare.codec.FastCodec;
import dev.procshare.codec.JavaCodec;
import dev.procshare.codec.Portable;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link SharedQueue}'s items become bytes and back: {@link FastCodec} with allow-listed Java
 * serialization behind it, a size limit, and a check at encoding time that the receiving side's list will
 * admit every class of the item, so that a refused item is never written.
 */
final class ItemCodec {
    final AllowList allowList;
    private final int maxBytes;
    private final Codec codec;

    ItemCodec(AllowList allowList, int maxBytes) {
        this.allowList = Objects.requireNonNull(allowList, "allowList");
        this.maxBytes = maxBytes;
        this.codec = FastCodec.withFallback(JavaCodec.restricted(allowList));
    }

    /**
     * The item's bytes.
     *
     * @throws NullPointerException if the item is null
     * @throws IllegalArgumentException if it cannot be encoded, is larger than the limit, or holds a class the
     *         allow-list refuses (then caused by {@link ClassNotAllowedException})
     */
    byte[] encode(Object item, String queue) {
        Objects.requireNonNull(item, "a SharedQueue holds no null items");
        byte[] bytes;
        try {
            bytes = codec.encode(item);
            if (!plain(item, 0)) {
                AllowCheck.check(item, allowList);
            }
        } catch (ClassNotAllowedException refused) {
            throw new IllegalArgumentException("a " + item.getClass().getName() + " holds a class that the"
                    + " allow-list of " + queue + " refuses (" + refused.getMessage() + "); nothing was added:"
                    + " allow it with SharedQueue.builder().allowClasses(..) or allowPackages(..)", refused);
        } catch (IOException failed) {
            throw new IllegalArgumentException("cannot encode a " + item.getClass().getName() + " for " + queue
                    + ": " + failed, failed);
        }
        if (bytes.length > maxBytes) {
            throw new IllegalArgumentException("item of " + bytes.length + " bytes (a " + item.getClass().getName()
                    + ", encoded) is larger than the " + maxBytes + "-byte limit of " + queue
                    + "; nothing was added: create the queue with builder().maxItemBytes(n)");
        }
        return bytes;
    }

    /**
     * The item.
     *
     * @throws SharedMemoryException if it cannot be decoded, or holds a class this handle's allow-list refuses
     *         (then caused by {@link ClassNotAllowedException})
     */
    Object decode(byte[] bytes, String queue) {
        try {
            return codec.decode(bytes);
        } catch (IOException | ClassNotFoundException failed) {
            throw new SharedMemoryException("cannot decode an item of " + queue + " (" + bytes.length
                    + " bytes); it was removed: " + failed, failed);
        }
    }

    /** Whether {@link FastCodec} writes the item without Java serialization (nothing to check). */
    static boolean plain(Object v, int depth) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Character
                || v instanceof Number && v.getClass().getPackageName().equals("java.lang")
                || v instanceof byte[] || v instanceof int[] || v instanceof long[] || v instanceof double[]
                || v instanceof char[] || v instanceof Portable || v instanceof Portable.Replaced) {
            return true;
        }
        if (depth > 8) {
            return false;
        }
        if (v.getClass() == ArrayList.class) {
            for (Object o : (List<?>) v) {
                if (!plain(o, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (v.getClass() == HashMap.class || v.getClass() == LinkedHashMap.class) {
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) v).entrySet()) {
                if (!plain(entry.getKey(), depth + 1) || !plain(entry.getValue(), depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * Serializes an item to nowhere, judging each class descriptor it writes as the consumer's filter will:
     * exact (superclasses, fields' classes, arrays) without decoding anything, which would attach handles.
     */
    private static final class AllowCheck extends ObjectOutputStream {
        private final AllowList allowList;

        private AllowCheck(AllowList allowList) throws IOException {
            super(OutputStream.nullOutputStream());
            this.allowList = allowList;
        }

        static void check(Object item, AllowList allowList) throws IOException {
            try (AllowCheck out = new AllowCheck(allowList)) {
                out.writeObject(item);
            } catch (Refused r) {
                throw r.refusal;
            }
        }

        @Override
        protected void annotateClass(Class<?> type) {
            if (!allowList.allows(type)) {
                throw new Refused(type.getName());
            }
        }

        @Override
        protected void annotateProxyClass(Class<?> type) {
            throw new Refused(type.getName());
        }

        /** Unchecked: the stream would try to serialize an IOException into itself as a fatal error. */
        private static final class Refused extends RuntimeException {
            private static final long serialVersionUID = 1L;
            final transient ClassNotAllowedException refusal;

            Refused(String className) {
                super(null, null, false, false);
                refusal = new ClassNotAllowedException(className);
            }
        }
    }
}
