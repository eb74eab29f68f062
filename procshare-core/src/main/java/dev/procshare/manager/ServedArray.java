package dev.procshare.manager;

import java.util.Arrays;
import java.util.List;

/** A typed array ({@code double[]}, {@code int[]} or {@code long[]}); every operation holds the monitor. */
final class ServedArray implements Served {
    private final Object array;

    ServedArray(Object initial) {
        if (!(initial instanceof double[] || initial instanceof int[] || initial instanceof long[])) {
            throw new IllegalArgumentException("a manager array holds double, int or long, not "
                    + (initial == null ? "null" : initial.getClass().getSimpleName()));
        }
        array = initial;
    }

    @Override
    public synchronized Object call(String op, List<Object> args, Caller caller) {
        switch (op) {
            case "length":
                return java.lang.reflect.Array.getLength(array);
            case "get": {
                int i = (Integer) args.get(0);
                if (array instanceof double[] d) {
                    return d[i];
                }
                return array instanceof int[] a ? (Object) a[i] : (Object) ((long[]) array)[i];
            }
            case "set": {
                int i = (Integer) args.get(0);
                Number v = (Number) args.get(1);
                if (array instanceof double[] d) {
                    d[i] = v.doubleValue();
                } else if (array instanceof int[] a) {
                    a[i] = v.intValue();
                } else {
                    ((long[]) array)[i] = v.longValue();
                }
                return null;
            }
            case "addAndGet": {
                int i = (Integer) args.get(0);
                Number v = (Number) args.get(1);
                if (array instanceof double[] d) {
                    return d[i] += v.doubleValue();
                }
                return array instanceof int[] a ? (Object) (a[i] += v.intValue())
                        : (Object) (((long[]) array)[i] += v.longValue());
            }
            case "toArray": {
                int from = (Integer) args.get(0);
                int to = (Integer) args.get(1) < 0 ? java.lang.reflect.Array.getLength(array) : (Integer) args.get(1);
                if (array instanceof double[] d) {
                    return Arrays.copyOfRange(d, from, to);
                }
                return array instanceof int[] a ? (Object) Arrays.copyOfRange(a, from, to)
                        : (Object) Arrays.copyOfRange((long[]) array, from, to);
            }
            case "copyFrom": {
                int index = (Integer) args.get(0);
                Object src = args.get(1);
                if (src == null || src.getClass() != array.getClass()) {
                    throw new IllegalArgumentException("expected a " + array.getClass().getSimpleName());
                }
                System.arraycopy(src, 0, array, index, java.lang.reflect.Array.getLength(src));
                return null;
            }
            default:
                throw Served.unknown("an array", op);
        }
    }
}
