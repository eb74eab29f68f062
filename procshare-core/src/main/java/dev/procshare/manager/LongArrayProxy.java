package dev.procshare.manager;

import java.util.Arrays;

final class LongArrayProxy extends RemoteObject implements ManagedLongArray {
    private static final long serialVersionUID = 1L;

    LongArrayProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        super(client, ref, fresh);
    }

    @Override
    public int length() {
        return (Integer) call("length");
    }

    @Override
    public long get(int index) {
        return (Long) call("get", index);
    }

    @Override
    public void set(int index, long value) {
        call("set", index, value);
    }

    @Override
    public long addAndGet(int index, long delta) {
        return (Long) call("addAndGet", index, delta);
    }

    @Override
    public long[] toArray() {
        return toArray(0, -1);
    }

    @Override
    public long[] toArray(int from, int to) {
        return (long[]) call("toArray", from, to);
    }

    @Override
    public void copyFrom(int index, long[] values) {
        call("copyFrom", index, values);
    }

    @Override
    public String toString() {
        return "ManagedLongArray" + Arrays.toString(toArray());
    }
}
