package dev.procshare.manager;

import java.util.List;

/** A flag that waiters block on until it is set (Python's {@code Event}). */
final class ServedEvent implements Served {
    private boolean set;

    @Override
    public synchronized Object call(String op, List<Object> args, Caller caller) throws InterruptedException {
        switch (op) {
            case "set":
                set = true;
                notifyAll();
                return null;
            case "clear":
                set = false;
                return null;
            case "isSet":
                return set;
            case "await": { // [timeoutNanos] → whether it is set
                long deadline = Caller.deadline((Long) args.get(0));
                while (!set) {
                    if (!caller.await(this, deadline)) {
                        return false;
                    }
                }
                return true;
            }
            default:
                throw Served.unknown("an event", op);
        }
    }
}
