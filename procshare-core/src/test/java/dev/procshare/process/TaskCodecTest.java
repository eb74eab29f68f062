package dev.procshare.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.manager.Manager;
import dev.procshare.manager.Namespace;
import dev.procshare.memory.SharedBoolean;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class TaskCodecTest {

    @Test
    void aLambdaCapturingPlainValuesTravelsAsARecipeAndComesBackWorking() throws Exception {
        int n = 6;
        long big = 1L << 40;
        String word = "x";
        char c = 'c';
        SerializableCallable<String> task = () -> word + n * 7 + big + c;
        byte[] bytes = TaskCodec.encodeTask(task, "a test task");
        assertEquals('L', bytes[0], "sent as a recipe, not Java-serialized");
        assertEquals("x421099511627776c", ((Callable<?>) TaskCodec.decodeTask(bytes)).call());

        SerializableCallable<Integer> nothing = () -> 9;
        assertEquals(9, ((Callable<?>) TaskCodec.decodeTask(TaskCodec.encodeTask(nothing, "a test task"))).call());
        SerializableFunction<Integer, Integer> fn = x -> x + n;
        assertEquals(10, ((SerializableFunction<Integer, Integer>) TaskCodec.decodeTask(
                TaskCodec.encodeTask(fn, "a test function"))).apply(4));
    }

    @Test
    void everyPlainCaptureAndMethodReferenceKindSurvivesARecipe() throws Exception {
        byte b = -3;
        short sh = 300;
        float f = 1.5f;
        boolean yes = true;
        String none = null;
        String lone = "\uD83D"; // a lone surrogate, which UTF-8 alone would turn into '?'
        SerializableCallable<String> all = () -> b + "|" + sh + "|" + f + "|" + yes + "|" + none + "|" + (int) lone.charAt(0);
        assertEquals(b + "|300|1.5|true|null|" + 0xD83D, roundTrip(all).call());

        SerializableFunction<Integer, Integer> staticRef = Math::abs;
        SerializableFunction<String, StringBuilder> constructorRef = StringBuilder::new;
        SerializableFunction<String, Integer> unboundRef = String::length;
        assertEquals('L', TaskCodec.encodeTask(staticRef, "x")[0]);
        assertEquals(5, rebuilt(staticRef).apply(-5));
        assertEquals("ab", rebuilt(constructorRef).apply("ab").toString());
        assertEquals(3, rebuilt(unboundRef).apply("abc"));

        ArrayList<Object> receiver = new ArrayList<>(List.of(1));
        SerializableCallable<Integer> boundRef = receiver::size; // captures the list: Java-serialized
        assertEquals((byte) 0xAC, TaskCodec.encodeTask(boundRef, "x")[0]);
        assertEquals(1, roundTrip(boundRef).call());
        assertEquals(42, roundTrip(Nested.task(6)).call(), "a lambda written in a nested class");
    }

    static final class Nested {
        static SerializableCallable<Integer> task(int n) {
            return () -> n * 7;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> SerializableCallable<T> roundTrip(SerializableCallable<T> task) throws Exception {
        return (SerializableCallable<T>) TaskCodec.decodeTask(TaskCodec.encodeTask(task, "a test task"));
    }

    @SuppressWarnings("unchecked")
    private static <A, R> SerializableFunction<A, R> rebuilt(SerializableFunction<A, R> fn) throws Exception {
        return (SerializableFunction<A, R>) TaskCodec.decodeTask(TaskCodec.encodeTask(fn, "a test function"));
    }

    @Test
    void aLambdaCapturingHandlesAndProxiesTravelsAsARecipe() throws Exception {
        try (SharedBoolean flag = SharedBoolean.create(false);
             Manager manager = Manager.builder().inProcess().start()) {
            Namespace ns = manager.namespace();
            ns.set("word", "hi");
            SerializableCallable<String> task = () -> {
                flag.set(true);
                return ns.get("word");
            };
            byte[] bytes = TaskCodec.encodeTask(task, "a test task");
            assertEquals('L', bytes[0], "handles and proxies do not need Java serialization");
            assertEquals("hi", ((Callable<?>) TaskCodec.decodeTask(bytes)).call());
            assertTrue(flag.get(), "the rebuilt lambda's flag is the same memory");
        }
        List<Integer> notAProxy = new ArrayList<>(List.of(1)); // an interface type, but no handle behind it
        SerializableCallable<Integer> task = notAProxy::size;
        byte[] bytes = TaskCodec.encodeTask(task, "a test task");
        assertEquals((byte) 0xAC, bytes[0], "Java-serialized");
        assertEquals(1, ((Callable<?>) TaskCodec.decodeTask(bytes)).call());
    }

    @Test
    void aLambdaCapturingAnObjectIsJavaSerializedWithItsIdentityKept() throws Exception {
        ArrayList<Object> list = new ArrayList<>(List.of(1, 2));
        SerializableCallable<Boolean> task = () -> list == list && list.size() == 2;
        byte[] bytes = TaskCodec.encodeTask(task, "a test task");
        assertEquals((byte) 0xAC, bytes[0], "a Java serialization stream");
        assertTrue((Boolean) ((Callable<?>) TaskCodec.decodeTask(bytes)).call());
    }

    @Test
    void aBadRecipeFailsWithAClearError() throws Exception {
        int n = 1;
        SerializableCallable<Integer> task = () -> n;
        byte[] bytes = TaskCodec.encodeTask(task, "a test task");
        String original = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        // The capturing class renamed to one that does not exist: its name is in the error.
        byte[] missing = original.replace("dev/procshare/process/TaskCodecTest", "dev/procshare/process/TaskCodecTesX")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ClassNotFoundException e = assertThrows(ClassNotFoundException.class, () -> TaskCodec.decodeTask(missing));
        assertTrue(e.getMessage().contains("TaskCodecTesX"), e.getMessage());
        // A method that is not there.
        byte[] wrongMethod = original.replace("lambda$", "lambdaX").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        IOException bad = assertThrows(IOException.class, () -> TaskCodec.decodeTask(wrongMethod));
        assertTrue(bad.getMessage().contains("lambda"), bad.getMessage());
        assertThrows(IOException.class, () -> TaskCodec.decodeTask(new byte[] {'L', 1, 2}));
        byte[] notARecipe = TaskCodec.encodeTask((SerializableCallable<Integer>) () -> 1, "x").clone();
        byte[] string = dev.procshare.codec.FastCodec.INSTANCE.encode("just a string");
        byte[] fake = new byte[string.length + 1];
        fake[0] = 'L';
        System.arraycopy(string, 0, fake, 1, string.length);
        assertTrue(assertThrows(IOException.class, () -> TaskCodec.decodeTask(fake)).getMessage()
                .contains("not a lambda recipe"));
        assertEquals('L', notARecipe[0]);
    }
}
