package dev.procshare.manager;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

final class BarrierProxy extends RemoteObject implements ManagedBarrier {
    private static final long serialVersionUID = 1L;

    BarrierProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        super(client, ref, fresh);
    }

    @Override
    public int await() throws InterruptedException, BrokenBarrierException {
        try {
            return await(-1);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e); // no timeout was asked for
        }
    }

    @Override
    public int await(long timeout, TimeUnit unit) throws InterruptedException, BrokenBarrierException, TimeoutException {
        return await(Math.max(0, unit.toNanos(timeout)));
    }

    private int await(long nanos) throws InterruptedException, BrokenBarrierException, TimeoutException {
        try {
            return (Integer) client.invoke(ref.id(), "await", true, new Object[] {nanos});
        } catch (InterruptedException | BrokenBarrierException | TimeoutException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new ManagerException("barrier await failed: " + t, t);
        }
    }

    @Override
    public int getParties() {
        return (Integer) call("parties");
    }

    @Override
    public int getNumberWaiting() {
        return (Integer) call("waiting");
    }

    @Override
    public boolean isBroken() {
        return (Boolean) call("isBroken");
    }

    @Override
    public void reset() {
        call("reset");
    }
}
