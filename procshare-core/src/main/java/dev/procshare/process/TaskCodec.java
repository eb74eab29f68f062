package dev.procshare.process;

import dev.procshare.codec.JavaCodec;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Turns tasks and results into bytes for the private channel to a child, and back. When a task cannot be
 * serialized it finds which captured value is to blame, so the error names it in the caller's process.
 */
final class TaskCodec {
    private TaskCodec() {
    }

    static byte[] encode(Object value) throws IOException {
        return JavaCodec.INSTANCE.encode(value);
    }

    static Object decode(byte[] bytes) throws IOException, ClassNotFoundException {
        return JavaCodec.INSTANCE.decode(bytes);
    }

    /**
     * The serialized form of lambdas that capture nothing: a lambda class without instance fields has one
     * state, so its bytes never change (literal lambdas submitted in loops). Weak keys: classes can unload.
     */
    private static final java.util.Map<Class<?>, byte[]> STATELESS_BYTES =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** Serializes a task for another JVM or throws {@link UnserializableTaskException} naming the culprit. */
    static byte[] encodeTask(Object task, String what) {
        Class<?> type = task.getClass();
        boolean stateless = type.isHidden() && task instanceof Serializable && hasNoInstanceFields(type);
        if (stateless) {
            byte[] cached = STATELESS_BYTES.get(type);
            if (cached != null) {
                return cached;
            }
        }
        try {
            byte[] bytes = encode(task);
            if (stateless) {
                STATELESS_BYTES.put(type, bytes);
            }
            return bytes;
        } catch (NotSerializableException e) {
            throw new UnserializableTaskException("cannot send " + what + " to another JVM: "
                    + culprit(task, e.getMessage()) + ". Make that class Serializable, pass a shared handle "
                    + "(SharedLong, SharedDoubleArray, ...) or a manager proxy instead, or capture only the "
                    + "values you need (a lambda captures `this` when it uses an instance field or method).", e);
        } catch (IOException e) {
            throw new UnserializableTaskException("cannot send " + what + " to another JVM: " + e, e);
        }
    }

    private static boolean hasNoInstanceFields(Class<?> type) {
        for (Field field : type.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    /** A description of the first value reachable from {@code root} that is not serializable. */
    static String culprit(Object root, String className) {
        Deque<Object[]> queue = new ArrayDeque<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        queue.add(new Object[] {root, describeRoot(root)});
        while (!queue.isEmpty()) {
            Object[] next = queue.poll();
            Object value = next[0];
            String path = (String) next[1];
            if (value == null || !seen.add(value)) {
                continue;
            }
            if (!(value instanceof Serializable)) {
                return path + " is a " + value.getClass().getName() + ", which is not Serializable";
            }
            if (seen.size() > 10_000) {
                break;
            }
            SerializedLambda lambda = serializedLambda(value);
            if (lambda != null) {
                for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
                    queue.add(new Object[] {lambda.getCapturedArg(i), path + ", captured value #" + (i + 1)});
                }
            } else if (value instanceof Collection<?> collection) {
                int i = 0;
                for (Object element : collection) {
                    queue.add(new Object[] {element, path + "[" + i++ + "]"});
                }
            } else if (value instanceof Map<?, ?> map) {
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    queue.add(new Object[] {entry.getKey(), path + " key " + entry.getKey()});
                    queue.add(new Object[] {entry.getValue(), path + "[" + entry.getKey() + "]"});
                }
            } else if (value instanceof Object[] array) {
                for (int i = 0; i < array.length; i++) {
                    queue.add(new Object[] {array[i], path + "[" + i + "]"});
                }
            } else {
                addFields(queue, value, path);
            }
        }
        return "a captured " + className;
    }

    private static String describeRoot(Object root) {
        SerializedLambda lambda = serializedLambda(root);
        if (lambda != null) {
            return "the lambda " + lambda.getImplMethodName() + " in " + lambda.getCapturingClass().replace('/', '.');
        }
        return "the task (" + root.getClass().getName() + ")";
    }

    private static void addFields(Deque<Object[]> queue, Object value, String path) {
        for (Class<?> c = value.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            if (c.getName().startsWith("java.")) {
                return; // JDK classes serialize themselves; their internals are no help to the user
            }
            for (Field field : c.getDeclaredFields()) {
                int mods = field.getModifiers();
                if (Modifier.isStatic(mods) || Modifier.isTransient(mods) || field.getType().isPrimitive()) {
                    continue;
                }
                try {
                    field.setAccessible(true);
                    queue.add(new Object[] {field.get(value), path + ", field '" + field.getName() + "'"});
                } catch (RuntimeException | IllegalAccessException e) {
                    // inaccessible (a named module): the exception's class name is all we can say
                }
            }
        }
    }

    private static SerializedLambda serializedLambda(Object value) {
        if (value == null || !value.getClass().isSynthetic() && !value.getClass().isHidden()) {
            return null;
        }
        try {
            Method writeReplace = value.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            Object replaced = writeReplace.invoke(value);
            return replaced instanceof SerializedLambda lambda ? lambda : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
