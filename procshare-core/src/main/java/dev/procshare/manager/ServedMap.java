package dev.procshare.manager;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/** A {@code ConcurrentHashMap}: single-key operations are atomic, functions run on the server under its lock. */
final class ServedMap implements Served {
    private final ConcurrentHashMap<Object, Object> map = new ConcurrentHashMap<>();

    @Override
    @SuppressWarnings("unchecked")
    public Object call(String op, List<Object> args, Caller caller) {
        Object a0 = args.isEmpty() ? null : args.get(0);
        switch (op) {
            case "size":
                return map.size();
            case "get":
                return map.get(a0);
            case "getOrDefault":
                return map.getOrDefault(a0, args.get(1));
            case "containsKey":
                return map.containsKey(a0);
            case "containsValue":
                return map.containsValue(a0);
            case "put":
                return map.put(a0, args.get(1));
            case "putIfAbsent":
                return map.putIfAbsent(a0, args.get(1));
            case "remove":
                return map.remove(a0);
            case "removeValue":
                return map.remove(a0, args.get(1));
            case "replace":
                return map.replace(a0, args.get(1));
            case "replaceValue":
                return map.replace(a0, args.get(1), args.get(2));
            case "putAll":
                map.putAll((Map<Object, Object>) a0);
                return null;
            case "clear":
                map.clear();
                return null;
            case "keys":
                return new ArrayList<>(map.keySet());
            case "values":
                return new ArrayList<>(map.values());
            case "snapshot":
                return new LinkedHashMap<>(map);
            case "compute":
                return map.compute(a0, (BiFunction<Object, Object, Object>) args.get(1));
            case "computeIfAbsent":
                return map.computeIfAbsent(a0, (Function<Object, Object>) args.get(1));
            case "computeIfPresent":
                return map.computeIfPresent(a0, (BiFunction<Object, Object, Object>) args.get(1));
            case "merge":
                return map.merge(a0, args.get(1), (BiFunction<Object, Object, Object>) args.get(2));
            default:
                throw Served.unknown("a map", op);
        }
    }
}
