package dev.procshare.manager;

import java.io.Serializable;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * A user type a manager can make: {@code BaseManager.register(typeid, callable, exposed=...)}. Made by
 * {@link Manager.Builder#register}; a {@link ManagerBackend} reads it to host the type's instances.
 *
 * @param typeId the name {@link Manager#create} is called with
 * @param type the interface proxies implement
 * @param factory makes an instance from {@code create}'s arguments
 * @param exposed the only methods proxies may call (all, if empty)
 */
public record Registration(String typeId, Class<?> type, ObjectFactory<?> factory, Set<String> exposed)
        implements Serializable {

    public Registration {
        if (typeId == null || typeId.isEmpty()) {
            throw new IllegalArgumentException("a type id must not be empty");
        }
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface: register the interface "
                    + "that the proxies will implement, with a factory for the class that does the work");
        }
        exposed = Set.copyOf(exposed);
        for (String name : exposed) {
            if (Arrays.stream(type.getMethods()).noneMatch(m -> m.getName().equals(name))) {
                throw new IllegalArgumentException(type.getName() + " has no method '" + name + "' to expose");
            }
        }
    }

    /** The interface's callable methods by {@linkplain #signature signature} (all, or only the exposed ones). */
    public Map<String, Method> methods() {
        Map<String, Method> bySignature = new LinkedHashMap<>();
        Method[] all = type.getMethods();
        Arrays.sort(all, Comparator.comparing(Registration::signature));
        for (Method m : all) {
            if (!m.isDefault() && !java.lang.reflect.Modifier.isStatic(m.getModifiers())
                    && (exposed.isEmpty() || exposed.contains(m.getName()))) {
                bySignature.put(signature(m), m);
            }
        }
        return bySignature;
    }

    /** A method's name and parameter types, the key both sides use for it. */
    public static String signature(Method m) {
        StringJoiner params = new StringJoiner(",", m.getName() + "(", ")");
        for (Class<?> p : m.getParameterTypes()) {
            params.add(p.getName());
        }
        return params.toString();
    }
}
