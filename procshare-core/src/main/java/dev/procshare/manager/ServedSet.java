package dev.procshare.manager;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/** A {@code LinkedHashSet}; every operation holds its monitor, so each is atomic. */
final class ServedSet implements Served {
    private final LinkedHashSet<Object> set = new LinkedHashSet<>();

    @Override
    public synchronized Object call(String op, List<Object> args, Caller caller) {
        switch (op) {
            case "size":
                return set.size();
            case "add":
                return set.add(args.get(0));
            case "remove":
                return set.remove(args.get(0));
            case "contains":
                return set.contains(args.get(0));
            case "addAll":
                return set.addAll((Collection<?>) args.get(0));
            case "removeAll":
                return set.removeAll((Collection<?>) args.get(0));
            case "retainAll":
                return set.retainAll((Collection<?>) args.get(0));
            case "clear":
                set.clear();
                return null;
            case "snapshot":
                return new ArrayList<>(set);
            default:
                throw Served.unknown("a set", op);
        }
    }
}
