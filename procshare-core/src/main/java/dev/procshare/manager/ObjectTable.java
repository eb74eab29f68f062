package dev.procshare.manager;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The objects a server hosts, by id, each with the number of references the sessions hold to it. An object
 * whose count falls to zero is released: Python's manager refcounting, with a client's references counted
 * in its session so that they all drop when the client disconnects or dies.
 */
final class ObjectTable {
    /** Id 0 is the server itself (the root that creates the others). */
    static final long ROOT = 0;

    private final Map<Long, Hosted> objects = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    static final class Hosted {
        final Served served;
        final ObjectRef ref;
        private int refs;

        Hosted(Served served, ObjectRef ref) {
            this.served = served;
            this.ref = ref;
        }
    }

    void putRoot(Served root) {
        objects.put(ROOT, new Hosted(root, new ObjectRef(ROOT, "manager", null, null)));
    }

    /** Hosts {@code served} with one reference held by {@code owner}. */
    ObjectRef add(Served served, String kind, String typeId, String interfaceName, Session owner) {
        long id = nextId.getAndIncrement();
        ObjectRef ref = new ObjectRef(id, kind, typeId, interfaceName);
        Hosted hosted = new Hosted(served, ref);
        hosted.refs = 1;
        objects.put(id, hosted);
        owner.addRef(id, 1);
        return ref;
    }

    Hosted get(long id) {
        Hosted hosted = objects.get(id);
        if (hosted == null) {
            throw new NoSuchObjectException(id);
        }
        return hosted;
    }

    /** Adds a reference from {@code session}; false if the object is gone. */
    boolean incref(Session session, long id) {
        Hosted hosted = objects.get(id);
        if (hosted == null || id == ROOT) {
            return hosted != null;
        }
        synchronized (hosted) {
            if (hosted.refs == 0) {
                return false;
            }
            hosted.refs++;
        }
        session.addRef(id, 1);
        return true;
    }

    void decref(Session session, long id, int n) {
        int removed = session.removeRef(id, n);
        release(id, removed);
    }

    private void release(long id, int n) {
        Hosted hosted = objects.get(id);
        if (hosted == null || n == 0) {
            return;
        }
        synchronized (hosted) {
            hosted.refs -= n;
            if (hosted.refs > 0) {
                return;
            }
        }
        objects.remove(id);
    }

    /** Drops every reference of an ended session. */
    void sessionEnded(Session session) {
        for (Map.Entry<Long, Integer> e : session.takeRefs().entrySet()) {
            release(e.getKey(), e.getValue());
        }
    }

    /** Objects hosted, the root not counted. */
    int size() {
        return objects.size() - 1;
    }

    void clear() {
        objects.keySet().removeIf(id -> id != ROOT);
    }

    /** A call named an object that the server no longer hosts (every proxy to it was released). */
    static final class NoSuchObjectException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NoSuchObjectException(long id) {
            super("object " + id + " no longer exists on the manager: it was released when no proxy referred to it");
        }
    }
}
