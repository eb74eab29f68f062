package dev.procshare.manager;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client (a {@code ManagerClient} in one JVM) as the server sees it: its connections, the objects it
 * refers to, the sync objects it holds. It ends when its last connection closes, which is how the server
 * learns that a client process died: its references are dropped and what it held is released.
 */
final class Session {
    private final byte[] id;
    private int connections;
    private boolean ended;
    /** Object id → references this session holds. */
    private final Map<Long, Integer> refs = new HashMap<>();
    /** Sync objects this session has held at some time (told when the session ends). */
    final Set<Served> touched = ConcurrentHashMap.newKeySet();

    Session(byte[] id) {
        this.id = id.clone();
    }

    byte[] id() {
        return id.clone();
    }

    synchronized boolean attach() {
        if (ended) {
            return false;
        }
        connections++;
        return true;
    }

    /** Returns true if this was the last connection: the session has ended. */
    synchronized boolean detach() {
        connections--;
        if (connections == 0) {
            ended = true;
            return true;
        }
        return false;
    }

    synchronized boolean isEnded() {
        return ended;
    }

    synchronized void addRef(long objectId, int n) {
        refs.merge(objectId, n, Integer::sum);
    }

    /** Removes up to {@code n} references; returns how many this session really held. */
    synchronized int removeRef(long objectId, int n) {
        Integer held = refs.get(objectId);
        if (held == null) {
            return 0;
        }
        int removed = Math.min(held, n);
        if (held - removed == 0) {
            refs.remove(objectId);
        } else {
            refs.put(objectId, held - removed);
        }
        return removed;
    }

    synchronized Map<Long, Integer> takeRefs() {
        Map<Long, Integer> all = new HashMap<>(refs);
        refs.clear();
        return all;
    }

    @Override
    public String toString() {
        return "session " + HexFormat.of().formatHex(id, 0, 4);
    }
}
