package dev.procshare.manager;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** An {@code ArrayList}; every operation holds its monitor, so each is atomic. */
final class ServedList implements Served {
    private final ArrayList<Object> list = new ArrayList<>();

    @Override
    public synchronized Object call(String op, List<Object> args, Caller caller) {
        switch (op) {
            case "size":
                return list.size();
            case "get":
                return list.get((Integer) args.get(0));
            case "set":
                return list.set((Integer) args.get(0), args.get(1));
            case "add":
                return list.add(args.get(0));
            case "insert":
                list.add((Integer) args.get(0), args.get(1));
                return null;
            case "removeAt":
                return list.remove((int) (Integer) args.get(0));
            case "remove":
                return list.remove(args.get(0));
            case "indexOf":
                return list.indexOf(args.get(0));
            case "lastIndexOf":
                return list.lastIndexOf(args.get(0));
            case "contains":
                return list.contains(args.get(0));
            case "addAll":
                return list.addAll((Collection<?>) args.get(0));
            case "insertAll":
                return list.addAll((Integer) args.get(0), (Collection<?>) args.get(1));
            case "removeRange": {
                list.subList((Integer) args.get(0), (Integer) args.get(1)).clear();
                return null;
            }
            case "clear":
                list.clear();
                return null;
            case "snapshot":
                return new ArrayList<>(list);
            default:
                throw Served.unknown("a list", op);
        }
    }
}
