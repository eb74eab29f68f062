package dev.procshare.manager;

/** Makes the proxy for an object the server hosts. */
final class Proxies {
    private Proxies() {
    }

    /** {@code fresh}: the server has just counted this client's reference (the object was made for it). */
    static Object make(ManagerClient client, ObjectRef ref, boolean fresh) {
        return switch (ref.kind()) {
            case "namespace" -> new NamespaceProxy(client, ref, fresh);
            case "map" -> new MapProxy<>(client, ref, fresh);
            case "list" -> new ListProxy<>(client, ref, fresh);
            case "set" -> new SetProxy<>(client, ref, fresh);
            case "value" -> new ValueProxy<>(client, ref, fresh);
            case "doubleArray" -> new DoubleArrayProxy(client, ref, fresh);
            case "intArray" -> new IntArrayProxy(client, ref, fresh);
            case "longArray" -> new LongArrayProxy(client, ref, fresh);
            case "queue" -> new QueueProxy<>(client, ref, fresh);
            case "joinableQueue" -> new JoinableQueueProxy<>(client, ref, fresh);
            case "lock", "rlock" -> new LockProxy(client, ref, fresh);
            case "condition" -> new ConditionProxy(client, ref, fresh);
            case "semaphore", "boundedSemaphore" -> new SemaphoreProxy(client, ref, fresh);
            case "event" -> new EventProxy(client, ref, fresh);
            case "barrier" -> new BarrierProxy(client, ref, fresh);
            case "object" -> UserProxy.make(client, ref, fresh);
            default -> throw new ManagerException("unknown kind of managed object: " + ref.kind());
        };
    }
}
