package dev.procshare.manager;

import dev.procshare.process.JvmProcess;
import dev.procshare.process.PrivateDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.Condition;

/** The manager over a socket: a client, and the server if this process started it. */
final class SocketManager implements Manager {
    private final ManagerClient client;
    private final ManagerServer inProcessServer;
    /** The server's JVM if this process started it; completed by the thread that launches it. */
    private final java.util.concurrent.CompletableFuture<JvmProcess> serverProcess;
    private final Path directory;
    private volatile boolean closed;

    SocketManager(ManagerClient client, ManagerServer inProcessServer,
                  java.util.concurrent.CompletableFuture<JvmProcess> serverProcess, Path directory) {
        this.client = client;
        this.inProcessServer = inProcessServer;
        this.serverProcess = serverProcess;
        this.directory = directory;
    }

    /** The server's JVM once launched (a launch takes milliseconds); null if it could not be launched. */
    private JvmProcess serverJvm() {
        try {
            return serverProcess.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return serverProcess.getNow(null);
        }
    }

    private Object make(String kind, Object... args) {
        return Proxies.make(client, (ObjectRef) client.call(ObjectTable.ROOT, kind, args), true);
    }

    @Override
    public String address() {
        client.awaitStarted(); // handed to another process, it must be one that can be connected to
        return client.address().toString();
    }

    @Override
    public Namespace namespace() {
        return (Namespace) make("namespace");
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> SharedMap<K, V> map() {
        return (SharedMap<K, V>) make("map");
    }

    @Override
    @SuppressWarnings("unchecked")
    public <E> List<E> list() {
        return (List<E>) make("list");
    }

    @Override
    @SuppressWarnings("unchecked")
    public <E> Set<E> set() {
        return (Set<E>) make("set");
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> ManagedValue<T> value(T initial) {
        return (ManagedValue<T>) make("value", initial);
    }

    @Override
    public ManagedDoubleArray doubleArray(int length) {
        return doubleArray(new double[length]);
    }

    @Override
    public ManagedDoubleArray doubleArray(double[] values) {
        return (ManagedDoubleArray) make("doubleArray", (Object) values.clone());
    }

    @Override
    public ManagedIntArray intArray(int length) {
        return intArray(new int[length]);
    }

    @Override
    public ManagedIntArray intArray(int[] values) {
        return (ManagedIntArray) make("intArray", (Object) values.clone());
    }

    @Override
    public ManagedLongArray longArray(int length) {
        return longArray(new long[length]);
    }

    @Override
    public ManagedLongArray longArray(long[] values) {
        return (ManagedLongArray) make("longArray", (Object) values.clone());
    }

    @Override
    public <E> BlockingQueue<E> queue() {
        return queue(Integer.MAX_VALUE);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <E> BlockingQueue<E> queue(int capacity) {
        return (BlockingQueue<E>) make("queue", capacity);
    }

    @Override
    public <E> JoinableQueue<E> joinableQueue() {
        return joinableQueue(Integer.MAX_VALUE);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <E> JoinableQueue<E> joinableQueue(int capacity) {
        return (JoinableQueue<E>) make("joinableQueue", capacity);
    }

    @Override
    public ManagedLock lock() {
        return (ManagedLock) make("lock");
    }

    @Override
    public ManagedLock rlock() {
        return (ManagedLock) make("rlock");
    }

    @Override
    public ManagedSemaphore semaphore(int permits) {
        return (ManagedSemaphore) make("semaphore", permits);
    }

    @Override
    public ManagedSemaphore boundedSemaphore(int permits) {
        return (ManagedSemaphore) make("boundedSemaphore", permits);
    }

    @Override
    public ManagedEvent event() {
        return (ManagedEvent) make("event");
    }

    @Override
    public Condition condition(ManagedLock lock) {
        if (!(lock instanceof LockProxy p) || !p.client.address().equals(client.address())) {
            throw new IllegalArgumentException("the lock must come from this manager");
        }
        return lock.newCondition();
    }

    @Override
    public ManagedBarrier barrier(int parties) {
        return (ManagedBarrier) make("barrier", parties);
    }

    @Override
    public <T> T create(String typeId, Class<T> type, Object... args) {
        ObjectRef ref = (ObjectRef) client.call(ObjectTable.ROOT, "create", typeId, new java.util.ArrayList<>(List.of(args)));
        if (!type.getName().equals(ref.interfaceName())) {
            throw new IllegalArgumentException("type '" + typeId + "' is registered with " + ref.interfaceName()
                    + ", not " + type.getName());
        }
        return type.cast(Proxies.make(client, ref, true));
    }

    @Override
    public void shutdown() {
        try {
            client.call(ObjectTable.ROOT, "shutdown");
        } catch (ManagerUnavailableException alreadyGone) {
            // the server is down either way
        }
        close();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverProcess != null) {
            try {
                client.call(ObjectTable.ROOT, "shutdown");
            } catch (ManagerException alreadyGone) {
                // stopping it below anyway
            }
        }
        client.closeNow();
        if (inProcessServer != null) {
            inProcessServer.close();
            ManagerLauncher.deleteSocketDirectory(client.address());
        }
        if (serverProcess != null) {
            JvmProcess jvm = serverJvm();
            if (jvm != null) {
                try {
                    if (!jvm.join(Duration.ofSeconds(5))) {
                        jvm.kill();
                    }
                } catch (InterruptedException e) {
                    jvm.kill();
                    Thread.currentThread().interrupt();
                }
                jvm.close();
            }
            PrivateDirectory.delete(directory);
        }
    }

    @Override
    public java.util.OptionalLong serverPid() {
        JvmProcess jvm = serverProcess == null ? null : serverJvm();
        return jvm == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(jvm.pid());
    }

    @Override
    public String toString() {
        JvmProcess jvm = serverProcess == null ? null : serverProcess.getNow(null);
        return "Manager[" + client.address() + (inProcessServer != null ? ", in this JVM" : jvm != null
                ? ", server pid " + jvm.pid() : serverProcess != null ? ", server starting" : ", connected")
                + (closed ? ", closed" : "") + "]";
    }
}
