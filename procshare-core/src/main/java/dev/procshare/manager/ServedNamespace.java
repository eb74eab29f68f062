package dev.procshare.manager;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/** A namespace's attributes. Each operation holds the namespace's monitor: an update is atomic. */
final class ServedNamespace implements Served {
    private final Map<String, Object> values = new TreeMap<>();

    @Override
    @SuppressWarnings("unchecked")
    public synchronized Object call(String op, List<Object> args, Caller caller) {
        switch (op) {
            case "get":
                return values.get((String) args.get(0));
            case "set":
                values.put(Objects.requireNonNull((String) args.get(0)), args.get(1));
                return null;
            case "delete": {
                boolean had = values.containsKey((String) args.get(0));
                values.remove((String) args.get(0));
                return had;
            }
            case "contains":
                return values.containsKey((String) args.get(0));
            case "keys":
                return new ArrayList<>(values.keySet());
            case "snapshot":
                return new LinkedHashMap<>(values);
            case "update": {
                String key = (String) args.get(0);
                Object updated = ((Function<Object, Object>) args.get(1)).apply(values.get(key));
                values.put(key, updated);
                return updated;
            }
            case "compareAndSet": {
                String key = (String) args.get(0);
                if (values.containsKey(key) ? !Objects.equals(values.get(key), args.get(1)) : args.get(1) != null) {
                    return false;
                }
                values.put(key, args.get(2));
                return true;
            }
            default:
                throw Served.unknown("a namespace", op);
        }
    }
}
