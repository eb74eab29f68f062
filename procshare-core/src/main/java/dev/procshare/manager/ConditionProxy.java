package dev.procshare.manager;

import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/** A condition of a manager lock: awaiting releases the lock on the server and takes it back before returning. */
final class ConditionProxy extends RemoteObject implements Condition {
    private static final long serialVersionUID = 1L;

    ConditionProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        super(client, ref, fresh);
    }

    @Override
    public void await() throws InterruptedException {
        callInterruptibly("await", -1L);
    }

    @Override
    public void awaitUninterruptibly() {
        call("await", -1L);
    }

    @Override
    public long awaitNanos(long nanos) throws InterruptedException {
        long start = System.nanoTime();
        callInterruptibly("await", Math.max(0, nanos));
        return nanos - (System.nanoTime() - start);
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        return (Boolean) callInterruptibly("await", Math.max(0, unit.toNanos(time)));
    }

    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        return await(deadline.getTime() - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void signal() {
        call("signal");
    }

    @Override
    public void signalAll() {
        call("signalAll");
    }
}
