package dev.procshare.manager;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

final class LockProxy extends RemoteObject implements ManagedLock {
    private static final long serialVersionUID = 1L;

    /** Per thread: whether its last acquisition found a dead owner. */
    private final transient ThreadLocal<Boolean> foundDeadOwner = ThreadLocal.withInitial(() -> false);

    LockProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        super(client, ref, fresh);
    }

    private boolean acquired(Object result) {
        int r = (Integer) result;
        if (r != ServedLock.FAILED) {
            foundDeadOwner.set(r == ServedLock.ACQUIRED_FROM_DEAD_OWNER);
        }
        return r != ServedLock.FAILED;
    }

    @Override
    public void lock() {
        acquired(call("acquire", -1L));
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        acquired(callInterruptibly("acquire", -1L));
    }

    @Override
    public boolean tryLock() {
        return acquired(call("acquire", 0L));
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return acquired(callInterruptibly("acquire", Math.max(0, unit.toNanos(time))));
    }

    @Override
    public void unlock() {
        call("release");
    }

    @Override
    public Condition newCondition() {
        return (Condition) Proxies.make(client, (ObjectRef) call0("condition"), true);
    }

    private Object call0(String kind) {
        return client.call(ObjectTable.ROOT, kind, ref.id());
    }

    @Override
    public boolean previousOwnerDied() {
        return foundDeadOwner.get();
    }

    @Override
    public boolean isHeldByCurrentThread() {
        return (Boolean) call("isHeldByCaller");
    }

    @Override
    public boolean isLocked() {
        return (Boolean) call("isLocked");
    }

    @Override
    public int getHoldCount() {
        return (Integer) call("holdCount");
    }

    @Override
    public String toString() {
        return describe() + (isLocked() ? "[locked]" : "[unlocked]");
    }
}
