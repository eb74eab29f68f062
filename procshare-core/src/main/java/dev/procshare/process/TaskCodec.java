package dev.procshare.process;

import dev.procshare.codec.FastCodec;
import dev.procshare.codec.JavaCodec;
import dev.procshare.codec.Portable;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
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
     * First byte of a lambda sent as its recipe instead of Java-serialized (a Java serialization stream
     * starts with 0xAC). A lambda that captures only strings, numbers, booleans, characters and procshare's
     * handles and proxies ({@link Portable}: a {@code SharedBoolean}, a {@code Namespace}, a registered
     * object) is rebuilt in the child from its {@link SerializedLambda} fields, the way
     * {@code SerializedLambda.readResolve} does, without an {@code ObjectInputStream}: a JVM's first one sets
     * up the serial filter configuration and with it the platform logger, and a cold child interprets all of
     * Java serialization, 60-120 ms of its start here.
     */
    private static final byte LAMBDA_RECIPE = 'L';

    /** Lambda classes whose captured values all fit a recipe (by their fields' types); weak keys. */
    private static final Map<Class<?>, Boolean> RECIPE_FITS =
            Collections.synchronizedMap(new java.util.WeakHashMap<>());
    private static final Set<Class<?>> PLAIN = Set.of(String.class, Integer.class, Long.class, Double.class,
            Float.class, Short.class, Byte.class, Character.class, Boolean.class);

    /** A task encoded by {@link #encodeTask}, in this JVM. */
    static Object decodeTask(byte[] bytes) throws IOException, ClassNotFoundException {
        if (bytes.length == 0 || bytes[0] != LAMBDA_RECIPE) {
            return decode(bytes);
        }
        Object decoded = FastCodec.INSTANCE.decode(Arrays.copyOfRange(bytes, 1, bytes.length));
        if (!(decoded instanceof List<?> f) || f.size() != 10) {
            throw new InvalidObjectException("not a lambda recipe: " + decoded);
        }
        try {
            Class<?> capturing = Class.forName(((String) f.get(0)).replace('/', '.'), false,
                    Thread.currentThread().getContextClassLoader());
            SerializedLambda recipe = new SerializedLambda(capturing, (String) f.get(1), (String) f.get(2),
                    (String) f.get(3), (Integer) f.get(4), (String) f.get(5), (String) f.get(6), (String) f.get(7),
                    (String) f.get(8), ((List<?>) f.get(9)).toArray());
            Method rebuild = capturing.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
            rebuild.setAccessible(true);
            return rebuild.invoke(null, recipe);
        } catch (ClassNotFoundException e) {
            throw e;
        } catch (InvocationTargetException e) {
            throw new InvalidObjectException("cannot rebuild the lambda " + f.get(6) + " of " + f.get(0) + ": "
                    + e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new InvalidObjectException("cannot rebuild a lambda from its recipe " + f + ": " + e);
        }
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
            byte[] bytes = recipeFits(type) ? recipe(task) : null;
            if (bytes == null) {
                bytes = encode(task);
            }
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

    /**
     * Whether a lambda of this class may travel as a recipe, by its fields' types: unnamed module, captured
     * values plain, procshare handles, or of an interface type (a proxy, perhaps: {@link #recipe} checks the
     * values themselves).
     */
    private static boolean recipeFits(Class<?> type) {
        if (!type.isHidden() || type.getModule().isNamed()) {
            return false;
        }
        return RECIPE_FITS.computeIfAbsent(type, t -> {
            for (Field field : t.getDeclaredFields()) {
                Class<?> f = field.getType();
                if (!Modifier.isStatic(field.getModifiers()) && !f.isPrimitive() && !PLAIN.contains(f)
                        && !f.isInterface() && !Portable.class.isAssignableFrom(f)
                        && !Portable.Replaced.class.isAssignableFrom(f)) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Whether a captured value travels in a recipe: null, plain, or a procshare handle or proxy. */
    private static boolean recipeValue(Object value) {
        return value == null || PLAIN.contains(value.getClass()) || value instanceof Portable
                || value instanceof Portable.Replaced;
    }

    /** The lambda's recipe, or null if it is not a serializable lambda after all. */
    private static byte[] recipe(Object task) throws IOException {
        SerializedLambda l = serializedLambda(task);
        if (l == null) {
            return null;
        }
        ArrayList<Object> captured = new ArrayList<>();
        for (int i = 0; i < l.getCapturedArgCount(); i++) {
            Object value = l.getCapturedArg(i);
            if (!recipeValue(value)) {
                return null; // some other object behind an interface type: Java serialization it is
            }
            captured.add(value);
        }
        ArrayList<Object> fields = new ArrayList<>(List.of(l.getCapturingClass(),
                l.getFunctionalInterfaceClass(), l.getFunctionalInterfaceMethodName(),
                l.getFunctionalInterfaceMethodSignature(), l.getImplMethodKind(), l.getImplClass(),
                l.getImplMethodName(), l.getImplMethodSignature(), l.getInstantiatedMethodType()));
        fields.add(captured);
        byte[] body = FastCodec.INSTANCE.encode(fields);
        byte[] bytes = new byte[body.length + 1];
        bytes[0] = LAMBDA_RECIPE;
        System.arraycopy(body, 0, bytes, 1, body.length);
        return bytes;
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
