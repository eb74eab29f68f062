package dev.procshare.codec;

import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which classes Java serialization may bring into this JVM: an {@link ObjectInputFilter} with a readable
 * policy. The {@linkplain #defaults() default} admits the JDK's value types (boxes, {@code String},
 * {@code java.math}, {@code java.time}, the {@code java.util} collections, atomics), serializable lambdas
 * whose defining class is itself allowed, and procshare's own handles and descriptors (its {@code codec},
 * {@code memory}, {@code manager}, {@code connection} and {@code redis} packages, not their subpackages); everything else (among it the
 * well-known gadget classes of {@code javax.management}, {@code java.rmi}, {@code sun.*}, dynamic proxies)
 * is refused until the user names it. Immutable and thread-safe; serializable so that a server can tell its
 * clients what it accepts.
 */
public final class AllowList implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Packages whose own classes (not subpackages) are allowed by default. */
    private static final Set<String> DEFAULT_PACKAGES = Set.of("java.lang.", "java.math.", "java.util.",
            "java.util.concurrent.", "java.util.concurrent.atomic.", "java.time.", "java.time.chrono.",
            "java.time.format.", "java.time.temporal.", "java.time.zone.", "dev.procshare.codec.",
            "dev.procshare.memory.", "dev.procshare.manager.", "dev.procshare.connection.",
            "dev.procshare.redis.");
    /** JDK classes in allowed packages that have no business in a value. */
    private static final Set<String> JDK_REFUSED = Set.of("java.lang.Thread", "java.lang.ThreadGroup",
            "java.lang.ClassLoader", "java.lang.Runtime", "java.lang.ProcessBuilder", "java.lang.Process",
            "java.util.ServiceLoader", "java.util.Timer", "java.util.PropertyResourceBundle");

    private final Set<String> classes;
    private final Set<String> trees;

    private AllowList(Set<String> classes, Set<String> trees) {
        this.classes = Set.copyOf(classes);
        this.trees = Set.copyOf(trees);
    }

    /** The JDK value types, serializable lambdas of allowed classes and procshare's own classes. */
    public static AllowList defaults() {
        return new AllowList(Set.of(), Set.of());
    }

    /** This list plus the given classes (arrays of them are allowed too). */
    public AllowList allowClasses(Collection<String> classNames) {
        Set<String> c = new LinkedHashSet<>(classes);
        c.addAll(classNames);
        return new AllowList(c, trees);
    }

    /** This list plus every class of the given packages and their subpackages ({@code "com.example.model"}). */
    public AllowList allowPackages(Collection<String> packageNames) {
        Set<String> t = new LinkedHashSet<>(trees);
        for (String p : packageNames) {
            t.add(p.endsWith(".") ? p : p + ".");
        }
        return new AllowList(classes, t);
    }

    /** The classes added to the defaults. */
    public List<String> allowedClasses() {
        return List.copyOf(classes);
    }

    /** The packages (with their subpackages) added to the defaults, as given. */
    public List<String> allowedPackages() {
        List<String> out = new ArrayList<>();
        for (String t : trees) {
            out.add(t.substring(0, t.length() - 1));
        }
        return out;
    }

    /** The classes and packages added to the defaults, for messages and {@code toString()}. */
    public List<String> additions() {
        List<String> all = new ArrayList<>(classes);
        for (String t : trees) {
            all.add(t + "*");
        }
        return all;
    }

    /** Whether a class of this name may be deserialized. */
    public boolean allows(Class<?> type) {
        while (type.isArray()) {
            type = type.getComponentType();
        }
        if (type.isPrimitive()) {
            return true;
        }
        if (Proxy.isProxyClass(type)) {
            return false;
        }
        return allowsName(type.getName());
    }

    /** Whether a class of this (binary) name may be deserialized. */
    public boolean allowsName(String name) {
        if (classes.contains(name) || classes.contains(outerName(name))) {
            return true;
        }
        for (String tree : trees) {
            if (name.startsWith(tree)) {
                return true;
            }
        }
        if (name.equals("java.lang.invoke.SerializedLambda")) {
            return true; // its defining class is a field, checked as a class of its own
        }
        if (JDK_REFUSED.contains(name)) {
            return false;
        }
        int dot = name.lastIndexOf('.');
        String pkg = dot < 0 ? "" : name.substring(0, dot + 1);
        return DEFAULT_PACKAGES.contains(pkg);
    }

    private static String outerName(String name) {
        int dollar = name.indexOf('$');
        return dollar < 0 ? name : name.substring(0, dollar);
    }

    /**
     * A filter applying this list and bounding every size by {@code streamLength}: no array, graph or nesting
     * may claim more than the bytes it came in. {@code refused} receives the name of a refused class.
     */
    ObjectInputFilter filter(int streamLength, java.util.function.Consumer<String> refused) {
        return info -> {
            if (!JavaCodec.withinLimits(info, streamLength)) {
                return ObjectInputFilter.Status.REJECTED;
            }
            Class<?> type = info.serialClass();
            if (type == null) {
                return ObjectInputFilter.Status.UNDECIDED;
            }
            if (allows(type)) {
                return ObjectInputFilter.Status.ALLOWED;
            }
            refused.accept(type.getName());
            return ObjectInputFilter.Status.REJECTED;
        };
    }

    /** What to tell a user whose value holds a refused class. */
    static String howToAllow(String className) {
        return "class " + className + " is not on the allow-list, so it was not deserialized; allow it with"
                + " Manager.builder().allow(" + simpleName(className) + ".class) or .allowPackage(\""
                + packageOf(className) + "\")";
    }

    private static String simpleName(String className) {
        String s = className.substring(className.lastIndexOf('.') + 1);
        return s.replace('$', '.');
    }

    private static String packageOf(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? "" : className.substring(0, dot);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AllowList a && a.classes.equals(classes) && a.trees.equals(trees);
    }

    @Override
    public int hashCode() {
        return classes.hashCode() * 31 + trees.hashCode();
    }

    @Override
    public String toString() {
        return "AllowList[JDK value types, procshare handles" + (additions().isEmpty() ? "" : ", " + additions()) + "]";
    }
}
