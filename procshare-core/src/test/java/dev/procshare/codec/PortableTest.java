package dev.procshare.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.memory.SharedInt;
import dev.procshare.testkit.NoLeaks;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Handles written by FastCodec as their descriptors, and the streams naming classes that must be refused. */
@ExtendWith(NoLeaks.class)
class PortableTest {
    private final FastCodec codec = FastCodec.INSTANCE;

    @Test
    void aSharedHandleTravelsWithoutJavaSerializationAndAttachesToTheSameMemory() throws Exception {
        try (SharedInt x = SharedInt.create(5)) {
            byte[] bytes = codec.encode(new ArrayList<>(List.of("before", x)));
            assertFalse(containsJavaSerialization(bytes), "no Java serialization stream inside");
            List<?> back = (List<?>) codec.decode(bytes);
            assertEquals("before", back.get(0));
            try (SharedInt y = (SharedInt) back.get(1)) {
                y.set(7);
                assertEquals(7, x.get(), "the decoded handle writes the same memory");
            }
            assertEquals(7, x.get(), "closing the decoded handle leaves the original open");
        }
    }

    @Test
    void aClosedHandleCannotBeSent() {
        SharedInt x = SharedInt.create(1);
        x.close();
        RuntimeException e = assertThrows(RuntimeException.class, () -> codec.encode(x));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void aClassThatIsNotPortableIsRefusedWithoutBeingInitialized() throws Exception {
        InvalidClassException e = assertThrows(InvalidClassException.class,
                () -> codec.decode(portableStream(NotPortable.class.getName(), List.of())));
        assertTrue(e.getMessage().contains("not a Portable class"), e.getMessage());
        assertFalse(notPortableInitialized, "its static initializer did not run");
    }

    @Test
    void aPortableClassWithoutFactoryIsRefused() {
        InvalidClassException e = assertThrows(InvalidClassException.class,
                () -> codec.decode(portableStream(NoFactory.class.getName(), List.of())));
        assertTrue(e.getMessage().contains("registered no factory"), e.getMessage());
    }

    @Test
    void aClassOutsideTheAllowListIsRefusedBeforeItIsLoaded() {
        FastCodec restricted = FastCodec.withFallback(JavaCodec.restricted(AllowList.defaults()));
        ClassNotAllowedException e = assertThrows(ClassNotAllowedException.class,
                () -> restricted.decode(portableStream("com.example.NotOnTheClasspath", List.of())));
        assertTrue(e.getMessage().contains("com.example.NotOnTheClasspath"), e.getMessage());
    }

    @Test
    void aHandleWithWrongValuesFailsClearly() {
        InvalidObjectException e = assertThrows(InvalidObjectException.class,
                () -> codec.decode(portableStream("dev.procshare.memory.Handle", List.of("not", "a handle"))));
        assertTrue(e.getMessage().contains("not a shared-memory handle"), e.getMessage());
        InvalidObjectException kind = assertThrows(InvalidObjectException.class, () -> codec.decode(
                portableStream("dev.procshare.memory.Handle", Arrays.asList("/dev/shm", "x", "NOPE", 0L))));
        assertTrue(kind.getMessage().contains("NOPE"), kind.getMessage());
    }

    /** A FastCodec stream holding one Portable value of class {@code name} with these values. */
    private byte[] portableStream(String name, List<?> values) throws IOException {
        byte[] list = codec.encode(new ArrayList<>(values));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(list[0]); // the magic byte
        out.writeByte(23); // PORTABLE
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        out.writeInt(n.length);
        out.write(n);
        out.write(list, 1, list.length - 1);
        return bytes.toByteArray();
    }

    private static boolean containsJavaSerialization(byte[] bytes) {
        for (int i = 0; i + 1 < bytes.length; i++) {
            if (bytes[i] == (byte) 0xAC && bytes[i + 1] == (byte) 0xED) {
                return true;
            }
        }
        return false;
    }

    /** Set by NotPortable's static initializer (a field of its own would initialize it when read). */
    static volatile boolean notPortableInitialized;

    static final class NotPortable {
        static {
            notPortableInitialized = true;
        }
    }

    static final class NoFactory implements Portable {
        @Override
        public List<Object> portableValues() {
            return new ArrayList<>();
        }
    }
}
