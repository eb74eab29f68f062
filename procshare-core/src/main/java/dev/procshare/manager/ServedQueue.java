package dev.procshare.manager;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A FIFO queue with an optional capacity. Waiting puts and takes sleep on the monitor in slices; an item
 * taken for a client whose reply cannot be delivered (it died) goes back to the head, so no item is lost.
 */
final class ServedQueue implements Served {
    private final ArrayDeque<Object> items = new ArrayDeque<>();
    private final int capacity;

    ServedQueue(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("queue capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
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
                caller.onReplyFailed(() -> giveBack(item));
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
                caller.onReplyFailed(() -> giveBackAll(drained));
                return drained;
            }
            case "remove":
                return items.remove(args.get(0));
            case "contains":
                return items.contains(args.get(0));
            case "clear":
                items.clear();
                notifyAll();
                return null;
            case "snapshot":
                return new ArrayList<>(items);
            default:
                throw Served.unknown("a queue", op);
        }
    }

    private synchronized void giveBack(Object item) {
        items.addFirst(item);
        notifyAll();
    }

    private synchronized void giveBackAll(List<Object> drained) {
        for (int i = drained.size() - 1; i >= 0; i--) {
            items.addFirst(drained.get(i));
        }
        notifyAll();
    }
}
