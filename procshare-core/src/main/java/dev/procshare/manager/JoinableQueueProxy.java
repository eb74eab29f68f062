package dev.procshare.manager;

import java.util.concurrent.TimeUnit;

/** The client side of a {@link JoinableQueue}: the queue operations of {@link QueueProxy} plus the task count. */
final class JoinableQueueProxy<E> extends QueueProxy<E> implements JoinableQueue<E> {
    private static final long serialVersionUID = 1L;

    JoinableQueueProxy(ManagerClient client, ObjectRef ref, boolean fresh) {
        super(client, ref, fresh);
    }

    @Override
    public void taskDone() {
        call("taskDone");
    }

    @Override
    public void join() throws InterruptedException {
        callInterruptibly("join", -1L);
    }

    @Override
    public boolean join(long timeout, TimeUnit unit) throws InterruptedException {
        return (Boolean) callInterruptibly("join", Math.max(0, unit.toNanos(timeout)));
    }

    @Override
    public long unfinishedTasks() {
        return (Long) call("unfinished");
    }

    @Override
    String kindName() {
        return "ManagedJoinableQueue";
    }
}
