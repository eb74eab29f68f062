package dev.procshare.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

/**
 * Java serialization, with every decode bounded by its input: no array, object graph or nesting can claim
 * more than the bytes it came in (a few bytes declaring a 2 GB array are refused). {@link #INSTANCE} leaves
 * the choice of classes to the JVM-wide filter ({@code jdk.serialFilter}); {@link #restricted(AllowList)}
 * applies an allow-list and names a refused class in a {@link ClassNotAllowedException}.
 */
public final class JavaCodec implements Codec {
    /** The shared instance without an allow-list, for channels whose peer is trusted (a parent and its child). */
    public static final JavaCodec INSTANCE = new JavaCodec(null);

    private final AllowList allowList;

    private JavaCodec(AllowList allowList) {
        this.allowList = allowList;
    }

    /** A codec that deserializes only the classes {@code allowList} allows. */
    public static JavaCodec restricted(AllowList allowList) {
        return new JavaCodec(allowList);
    }

    /** Whether a class of this name may be decoded here: any, unless this codec has an allow-list. */
    boolean allowsName(String className) {
        return allowList == null || allowList.allowsName(className);
    }

    @Override
    public byte[] encode(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    @Override
    public Object decode(byte[] bytes) throws IOException, ClassNotFoundException {
        String[] refused = new String[1];
        ObjectInputFilter filter = allowList == null ? limits(bytes.length)
                : allowList.filter(bytes.length, name -> refused[0] = refused[0] == null ? name : refused[0]);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        } catch (InvalidClassException e) {
            if (refused[0] != null) {
                ClassNotAllowedException named = new ClassNotAllowedException(refused[0]);
                named.initCause(e);
                throw named;
            }
            throw e;
        }
    }

    /** A filter bounding sizes by {@code length}, deferring the class decision to the JVM-wide filter. */
    static ObjectInputFilter limits(int length) {
        ObjectInputFilter global = ObjectInputFilter.Config.getSerialFilter();
        return info -> {
            if (!withinLimits(info, length)) {
                return ObjectInputFilter.Status.REJECTED;
            }
            return global != null ? global.checkInput(info) : ObjectInputFilter.Status.UNDECIDED;
        };
    }

    /**
     * Whether what the stream declares fits in the {@code length} bytes it came in: an array of primitives
     * cannot have more elements than its bytes allow (a {@code long[]} of n takes 8n bytes), so that a short
     * stream cannot make the reader allocate many times its size.
     */
    static boolean withinLimits(ObjectInputFilter.FilterInfo info, int length) {
        if (info.depth() > 10_000 || info.references() > length || info.streamBytes() > length) {
            return false;
        }
        long elements = info.arrayLength();
        if (elements < 0) {
            return true;
        }
        Class<?> type = info.serialClass();
        Class<?> component = type == null ? null : type.getComponentType();
        int size = component == null || !component.isPrimitive() ? 1
                : component == long.class || component == double.class ? 8
                : component == int.class || component == float.class ? 4
                : component == short.class || component == char.class ? 2 : 1;
        return elements <= length / size;
    }

    @Override
    public String toString() {
        return allowList == null ? "JavaCodec[JVM-wide filter]" : "JavaCodec[" + allowList + "]";
    }
}
