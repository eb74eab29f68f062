package dev.procshare.manager;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

/**
 * The one server-side instance of a registered type. Calls run one at a time (the server holds the
 * instance's monitor), so that a class written for one thread can be shared by many processes; a method
 * whose return type is itself a registered interface hands back a proxy to the object it returned.
 */
final class ServedObject implements Served {
    private final Object instance;
    private final Registration registration;
    private final Map<String, Method> methods;
    private final ServedRoot root;

    ServedObject(Object instance, Registration registration, ServedRoot root) {
        this.instance = instance;
        this.registration = registration;
        this.methods = registration.methods();
        this.root = root;
    }

    @Override
    public Object call(String op, List<Object> args, Caller caller) throws Exception {
        Method method = methods.get(op);
        if (method == null) {
            throw new UnsupportedOperationException("'" + registration.typeId() + "' does not expose " + op
                    + (registration.exposed().isEmpty() ? "" : "; exposed: " + registration.exposed()));
        }
        Object result;
        synchronized (instance) {
            result = method.invoke(instance, args.toArray());
        }
        Registration returned = method.getReturnType().isInterface() ? root.registrationFor(method.getReturnType()) : null;
        if (returned != null && result != null) {
            return root.hostUserObject(result, returned, caller);
        }
        return result;
    }
}
