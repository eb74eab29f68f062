package dev.procshare.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

/**
 * Java serialization, with every decode bounded by its input: no array, object graph or nesting can claim
 * more than the bytes it came in (a few bytes declaring a 2 GB array are refused). Which classes may be
 * deserialized is left to the JVM-wide filter ({@code jdk.serialFilter}); the manager adds an allow-list.
 */
public final class JavaCodec implements Codec {
    /** The shared instance. */
    public static final JavaCodec INSTANCE = new JavaCodec();

    private JavaCodec() {
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
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(limits(bytes.length));
            return in.readObject();
        }
    }

    /** A filter bounding sizes by {@code length}, deferring the class decision to the JVM-wide filter. */
    static ObjectInputFilter limits(int length) {
        ObjectInputFilter global = ObjectInputFilter.Config.getSerialFilter();
        return info -> {
            if (info.arrayLength() > length || info.depth() > 10_000 || info.references() > length
                    || info.streamBytes() > length) {
                return ObjectInputFilter.Status.REJECTED;
            }
            return global != null ? global.checkInput(info) : ObjectInputFilter.Status.UNDECIDED;
        };
    }
}
