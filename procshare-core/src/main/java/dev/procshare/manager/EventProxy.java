package dev.procshare.manager;

import java.util.concurrent.TimeUnit;

final class EventProxy extends RemoteObject implements ManagedEvent {
    private static final long serialVersionUID = 1L;

    EventProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        super(client, ref, fresh);
    }

    @Override
    public void set() {
        call("set");
    }

    @Override
    public void clear() {
        call("clear");
    }

    @Override
    public boolean isSet() {
        return (Boolean) call("isSet");
    }

    @Override
    public void await() throws InterruptedException {
        callInterruptibly("await", -1L);
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return (Boolean) callInterruptibly("await", Math.max(0, unit.toNanos(timeout)));
    }

    @Override
    public String toString() {
        return describe() + (isSet() ? "[set]" : "[clear]");
    }
}
