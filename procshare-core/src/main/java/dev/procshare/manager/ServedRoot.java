package dev.procshare.manager;

import java.util.List;

/** Object 0: the server itself. Makes the other objects, keeps reference counts, cancels, shuts down. */
final class ServedRoot implements Served {
    private final ManagerServer server;

    ServedRoot(ManagerServer server) {
        this.server = server;
    }

    @Override
    public Object call(String op, List<Object> args, Caller caller) throws Exception {
        switch (op) {
            case "ping":
                return "pong";
            case "shm": { // → the name of a segment this connection's frames go through after this reply
                ServerConnection connection = caller.connection();
                if (connection == null || !connection.isLocal()) {
                    throw new IllegalStateException("only a client on this host (Unix socket) can use shared memory");
                }
                if (connection.usesShm()) {
                    throw new IllegalStateException("this connection already uses shared memory");
                }
                ShmLink link = ShmLink.create();
                connection.useShmAfterReply(link);
                return link.name();
            }
            case "refs": { // [increfs, decrefs] → the ids that no longer exist (their proxies will fail clearly)
                long[] decrefs = (long[]) args.get(1);
                for (long id : decrefs) {
                    server.objects().decref(caller.session(), id, 1);
                }
                java.util.List<Long> missing = new java.util.ArrayList<>();
                for (long id : (long[]) args.get(0)) {
                    if (!server.objects().incref(caller.session(), id)) {
                        missing.add(id);
                    }
                }
                return missing.stream().mapToLong(Long::longValue).toArray();
            }
            case "cancel": {
                ServerConnection target = server.connection((Long) args.get(0));
                if (target != null) {
                    target.cancel((Integer) args.get(1));
                }
                return null;
            }
            case "shutdown": {
                Thread closer = new Thread(server::close, "procshare-manager-shutdown");
                closer.setDaemon(true);
                closer.start();
                return null;
            }
            case "create":
                return create((String) args.get(0), (List<?>) args.get(1), caller);
            default:
                return host(op, args, caller);
        }
    }

    private ObjectRef host(String kind, List<Object> args, Caller caller) {
        Served served = switch (kind) {
            case "namespace" -> new ServedNamespace();
            case "map" -> new ServedMap();
            case "list" -> new ServedList();
            case "set" -> new ServedSet();
            case "value" -> new ServedValue(args.get(0));
            case "doubleArray", "intArray", "longArray" -> new ServedArray(args.get(0));
            case "queue" -> new ServedQueue((Integer) args.get(0), false);
            case "joinableQueue" -> new ServedQueue((Integer) args.get(0), true);
            case "lock" -> new ServedLock(false);
            case "rlock" -> new ServedLock(true);
            case "condition" -> ((ServedLock) server.objects().get((Long) args.get(0)).served).newCondition();
            case "semaphore" -> new ServedSemaphore((Integer) args.get(0), false);
            case "boundedSemaphore" -> new ServedSemaphore((Integer) args.get(0), true);
            case "event" -> new ServedEvent();
            case "barrier" -> new ServedBarrier((Integer) args.get(0));
            default -> throw Served.unknown("the manager", kind);
        };
        return server.objects().add(served, kind, null, null, caller.session());
    }

    private ObjectRef create(String typeId, List<?> args, Caller caller) throws Exception {
        Registration registration = registration(typeId);
        Object instance = registration.factory().create(args.toArray());
        if (!registration.type().isInstance(instance)) {
            throw new IllegalStateException("the factory of '" + typeId + "' made a "
                    + (instance == null ? "null" : instance.getClass().getName()) + ", not a "
                    + registration.type().getName());
        }
        return hostUserObject(instance, registration, caller);
    }

    ObjectRef hostUserObject(Object instance, Registration registration, Caller caller) {
        return server.objects().add(new ServedObject(instance, registration, this), "object",
                registration.typeId(), registration.type().getName(), caller.session());
    }

    Registration registration(String typeId) {
        for (Registration r : server.config().registrations()) {
            if (r.typeId().equals(typeId)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no type '" + typeId + "' is registered with this manager; register it"
                + " with Manager.builder().register(\"" + typeId + "\", Interface.class, factory)");
    }

    /** The registration whose interface is {@code type}, or null. */
    Registration registrationFor(Class<?> type) {
        for (Registration r : server.config().registrations()) {
            if (r.type() == type) {
                return r;
            }
        }
        return null;
    }
}
