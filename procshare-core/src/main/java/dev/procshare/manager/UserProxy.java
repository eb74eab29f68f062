package dev.procshare.manager;

import dev.procshare.codec.Portable;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Proxies of registered types: a {@link Proxy} implementing the user's interface whose every call runs on
 * the one server-side instance. {@code equals}, {@code hashCode} and {@code toString} are answered here
 * (identity of the remote object), not on the server.
 */
final class UserProxy implements InvocationHandler {
    private static final Map<Method, String> SIGNATURES = new ConcurrentHashMap<>();

    /** Lets Java serialization find {@code writeReplace} on the proxy class, and FastCodec its descriptor. */
    interface Marker extends Serializable, Portable.Replaced {
        Object writeReplace() throws ObjectStreamException;
    }

    private final ManagerClient client;
    private final ObjectRef ref;

    private UserProxy(ManagerClient client, ObjectRef ref) {
        this.client = client;
        this.ref = ref;
    }

    static Object make(ManagerClient client, ObjectRef ref, boolean fresh) {
        Class<?> type;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            type = Class.forName(ref.interfaceName(), false, loader != null ? loader : UserProxy.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ManagerException("the interface " + ref.interfaceName() + " of type '" + ref.typeId()
                    + "' is not on this JVM's classpath", e);
        }
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type, Marker.class},
                new UserProxy(client, ref));
        client.track(proxy, ref.id(), fresh);
        return proxy;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            switch (method.getName()) {
                case "equals":
                    return args[0] != null && Proxy.isProxyClass(args[0].getClass())
                            && Proxy.getInvocationHandler(args[0]) instanceof UserProxy other
                            && other.ref.id() == ref.id() && other.client.address().equals(client.address());
                case "hashCode":
                    return Long.hashCode(ref.id()) * 31 + client.address().hashCode();
                default:
                    return ref.typeId() + "#" + ref.id() + "@" + client.address();
            }
        }
        if (method.getDeclaringClass() == Marker.class || method.getDeclaringClass() == Portable.Replaced.class) {
            return RemoteObject.Descriptor.exporting(client, ref);
        }
        if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        String signature = SIGNATURES.computeIfAbsent(method, Registration::signature);
        boolean interruptible = false;
        for (Class<?> e : method.getExceptionTypes()) {
            interruptible |= e.isAssignableFrom(InterruptedException.class);
        }
        Object result;
        try {
            result = client.invoke(ref.id(), signature, interruptible, args == null ? new Object[0] : args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            for (Class<?> declared : method.getExceptionTypes()) {
                if (declared.isInstance(t)) {
                    throw t;
                }
            }
            throw new RemoteCallException(t.getClass().getName(), t.getMessage(), t.getStackTrace(), t.getCause());
        }
        if (result instanceof ObjectRef r) {
            return Proxies.make(client, r, true);
        }
        return result;
    }
}
