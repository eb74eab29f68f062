package dev.procshare.manager;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** One value; every operation holds the monitor, so compare-and-set and update are atomic. */
final class ServedValue implements Served {
    private Object value;

    ServedValue(Object initial) {
        value = initial;
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized Object call(String op, List<Object> args, Caller caller) {
        switch (op) {
            case "get":
                return value;
            case "set":
                value = args.get(0);
                return null;
            case "getAndSet": {
                Object old = value;
                value = args.get(0);
                return old;
            }
            case "compareAndSet":
                if (!Objects.equals(value, args.get(0))) {
                    return false;
                }
                value = args.get(1);
                return true;
            case "update":
                value = ((Function<Object, Object>) args.get(0)).apply(value);
                return value;
            case "getAndUpdate": {
                Object old = value;
                value = ((Function<Object, Object>) args.get(0)).apply(value);
                return old;
            }
            default:
                throw Served.unknown("a value", op);
        }
    }
}
