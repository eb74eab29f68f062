package dev.procshare.manager;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A FIFO queue with an optional capacity. Waiting puts and takes sleep on the monitor in slices; an item
 * taken for a client whose reply cannot be delivered (it died) goes back to the head, so no item is lost.
 *
 * <p>A joinable queue also counts unfinished tasks, and remembers per session the items taken and not yet
 * marked done: when the session ends they go back to the head, so that the count can still reach zero.
 */
final class ServedQueue implements Served {
    private final ArrayDeque<Object> items = new ArrayDeque<>();
    private final int capacity;
    private final boolean joinable;
    private long unfinished;
    /** Joinable only: items each session has taken and not marked done, oldest first. */
    private final Map<Session, ArrayDeque<Object>> taken = new IdentityHashMap<>();

    ServedQueue(int capacity, boolean joinable) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("queue capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.joinable = joinable;
    }

    @Override
    public synchronized Object call(String op, List<Object> args, Caller caller) throws InterruptedException {
        switch (op) {
            case "offer": { // [item, timeoutNanos]: 0 = try, negative = wait for room
                long deadline = Caller.deadline((Long) args.get(1));
                while (items.size() >= capacity) {
                    if (!caller.await(this, deadline)) {
                        return false;
                    }
                }
                items.addLast(args.get(0));
                unfinished++;
                notifyAll();
                return true;
            }
            case "poll": { // [timeoutNanos]
                long deadline = Caller.deadline((Long) args.get(0));
                while (items.isEmpty()) {
                    if (!caller.await(this, deadline)) {
                        return null;
                    }
                }
                Object item = items.pollFirst();
                notifyAll();
                List<Object> one = List.of(item);
                track(caller.session(), one);
                caller.onReplyFailed(() -> giveBack(caller.session(), one));
                return item;
            }
            case "peek":
                return items.peekFirst();
            case "size":
                return items.size();
            case "remainingCapacity":
                return capacity == Integer.MAX_VALUE ? Integer.MAX_VALUE : capacity - items.size();
            case "drain": { // [max]
                int max = (Integer) args.get(0);
                ArrayList<Object> drained = new ArrayList<>();
                while (drained.size() < max && !items.isEmpty()) {
                    drained.add(items.pollFirst());
                }
                notifyAll();
                track(caller.session(), drained);
                caller.onReplyFailed(() -> giveBack(caller.session(), drained));
                return drained;
            }
            case "remove": {
                boolean removed = items.remove(args.get(0));
                if (removed) {
                    finished(1);
                }
                return removed;
            }
            case "contains":
                return items.contains(args.get(0));
            case "clear":
                finished(items.size());
                items.clear();
                notifyAll();
                return null;
            case "snapshot":
                return new ArrayList<>(items);
            case "taskDone":
                taskDone(caller.session());
                return null;
            case "join": { // [timeoutNanos]
                long deadline = Caller.deadline((Long) args.get(0));
                while (unfinished > 0) {
                    if (!caller.await(this, deadline)) {
                        return false;
                    }
                }
                return true;
            }
            case "unfinished":
                return unfinished;
            default:
                throw Served.unknown("a queue", op);
        }
    }

    private void finished(long count) {
        unfinished -= count;
        if (unfinished == 0) {
            notifyAll(); // joiners
        }
    }

    private void taskDone(Session session) {
        if (!joinable) {
            throw Served.unknown("a queue that is not joinable", "taskDone");
        }
        if (unfinished <= 0) {
            throw new IllegalStateException("taskDone() called more times than items were put");
        }
        ArrayDeque<Object> mine = session == null ? null : taken.get(session);
        if (mine != null) {
            mine.pollFirst(); // a consumer finishes its items in the order it took them
            if (mine.isEmpty()) {
                taken.remove(session);
                session.touched.remove(this);
            }
        }
        finished(1);
    }

    private void track(Session session, List<Object> got) {
        if (joinable && session != null && !got.isEmpty()) {
            taken.computeIfAbsent(session, s -> new ArrayDeque<>()).addAll(got);
            session.touched.add(this);
        }
    }

    /** The reply carrying {@code got} was not delivered: back to the head, in order, no longer taken. */
    private synchronized void giveBack(Session session, List<Object> got) {
        ArrayDeque<Object> mine = session == null ? null : taken.get(session);
        for (int i = got.size() - 1; i >= 0; i--) {
            items.addFirst(got.get(i));
            if (mine != null) {
                mine.removeLastOccurrence(got.get(i));
            }
        }
        if (mine != null && mine.isEmpty()) {
            taken.remove(session);
            session.touched.remove(this);
        }
        notifyAll();
    }

    /** A session ended with items taken and not marked done: another consumer gets them. */
    @Override
    public synchronized void sessionEnded(Session session) {
        ArrayDeque<Object> mine = taken.remove(session);
        if (mine != null) {
            for (var it = mine.descendingIterator(); it.hasNext(); ) {
                items.addFirst(it.next());
            }
            notifyAll();
        }
    }
}
