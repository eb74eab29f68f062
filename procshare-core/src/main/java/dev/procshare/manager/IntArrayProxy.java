package dev.procshare.manager;

import java.util.Arrays;

final class IntArrayProxy extends RemoteObject implements ManagedIntArray {
    private static final long serialVersionUID = 1L;

    IntArrayProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        super(client, ref, fresh);
    }

    @Override
    public int length() {
        return (Integer) call("length");
    }

    @Override
    public int get(int index) {
        return (Integer) call("get", index);
    }

    @Override
    public void set(int index, int value) {
        call("set", index, value);
    }

    @Override
    public int addAndGet(int index, int delta) {
        return (Integer) call("addAndGet", index, delta);
    }

    @Override
    public int[] toArray() {
        return toArray(0, -1);
    }

    @Override
    public int[] toArray(int from, int to) {
        return (int[]) call("toArray", from, to);
    }

    @Override
    public void copyFrom(int index, int[] values) {
        call("copyFrom", index, values);
    }

    @Override
    public String toString() {
        return "ManagedIntArray" + Arrays.toString(toArray());
    }
}
