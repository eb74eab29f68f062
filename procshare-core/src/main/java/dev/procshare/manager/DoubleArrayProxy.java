package dev.procshare.manager;

import java.util.Arrays;

final class DoubleArrayProxy extends RemoteObject implements ManagedDoubleArray {
    private static final long serialVersionUID = 1L;

    DoubleArrayProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        super(client, ref, fresh);
    }

    @Override
    public int length() {
        return (Integer) call("length");
    }

    @Override
    public double get(int index) {
        return (Double) call("get", index);
    }

    @Override
    public void set(int index, double value) {
        call("set", index, value);
    }

    @Override
    public double addAndGet(int index, double delta) {
        return (Double) call("addAndGet", index, delta);
    }

    @Override
    public double[] toArray() {
        return toArray(0, -1);
    }

    @Override
    public double[] toArray(int from, int to) {
        return (double[]) call("toArray", from, to);
    }

    @Override
    public void copyFrom(int index, double[] values) {
        call("copyFrom", index, values);
    }

    @Override
    public String toString() {
        return "ManagedDoubleArray" + Arrays.toString(toArray());
    }
}
