package dev.procshare.manager;

import java.util.concurrent.TimeUnit;

final class SemaphoreProxy extends RemoteObject implements ManagedSemaphore {
    private static final long serialVersionUID = 1L;

    SemaphoreProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        super(client, ref, fresh);
    }

    @Override
    public void acquire() throws InterruptedException {
        acquire(1);
    }

    @Override
    public void acquire(int permits) throws InterruptedException {
        callInterruptibly("acquire", positive(permits), -1L);
    }

    @Override
    public boolean tryAcquire() {
        return (Boolean) call("acquire", 1, 0L);
    }

    @Override
    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        return tryAcquire(1, timeout, unit);
    }

    @Override
    public boolean tryAcquire(int permits, long timeout, TimeUnit unit) throws InterruptedException {
        return (Boolean) callInterruptibly("acquire", positive(permits), Math.max(0, unit.toNanos(timeout)));
    }

    @Override
    public void release() {
        release(1);
    }

    @Override
    public void release(int permits) {
        call("release", positive(permits));
    }

    private static int positive(int permits) {
        if (permits <= 0) {
            throw new IllegalArgumentException("permits must be positive: " + permits);
        }
        return permits;
    }

    @Override
    public int availablePermits() {
        return (Integer) call("availablePermits");
    }

    @Override
    public String toString() {
        return describe() + "[permits=" + availablePermits() + "]";
    }
}
