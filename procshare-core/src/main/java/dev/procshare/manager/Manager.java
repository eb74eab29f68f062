package dev.procshare.manager;

import dev.procshare.connection.Address;
import dev.procshare.codec.AllowList;
import dev.procshare.process.SerializableCallable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.Condition;

/**
 * A connection to a manager: a server that holds objects which many processes use through proxies, Python's
 * {@code multiprocessing.Manager()} and {@code BaseManager}.
 *
 * <p>{@link #start()} starts a server in its own JVM (a daemon child of this one: it stops when this process
 * exits or dies) and connects to it. It returns at once: a thread of this JVM launches the server's JVM and
 * connects when it listens (a JVM's boot is most of a start, and launching one costs a fresh JVM tens of
 * milliseconds). The first call on the manager waits for the server, at most the
 * {@linkplain Builder#startTimeout start timeout}, and fails with a {@link ManagerException} saying why
 * if it could not be launched or did not listen; meanwhile this process goes on (a pool's workers boot
 * beside the server). {@link #close()} right after {@code start()} waits for the launch and stops the server. A server
 * given a TCP or chosen address is waited for by {@code start()} itself, since its address is only known
 * once it listens. {@link #builder()} can start it in this JVM instead, listen on TCP, use
 * a given auth key, register user types and allow classes; {@link #connect(String, byte[])} attaches to a
 * server another process started.
 *
 * <p>Every object a manager hands out is a proxy: a small serializable descriptor (address + object id). A
 * proxy captured by a {@code JvmProcess} target or a {@code ProcessPool} task reconnects in that process;
 * the processes this one starts inherit its auth key, as in Python. Each call on a proxy is one round trip
 * and atomic on the server. An object lives while some process holds a proxy to it (and, once its proxy has
 * been sent to another process, for as long as the sending process stays connected). If the server dies,
 * every call fails within a second with {@link ManagerUnavailableException}.
 */
public interface Manager extends AutoCloseable {

    /**
     * Starts a server in its own JVM with a fresh address, the process auth key and default settings;
     * returns once its JVM is launched (the first call waits for it to listen, see above).
     */
    static Manager start() {
        return builder().start();
    }

    static Builder builder() {
        return new Builder();
    }

    /**
     * Connects to a running server at {@code address} ({@code unix:/path} or {@code tcp://host:port}), or to
     * an engine a {@link ManagerBackend} on the classpath serves ({@code redis://host:6379} with
     * {@code procshare-redis}). The processes this one starts inherit {@code authKey} for this address.
     *
     * @throws AuthenticationException if the other side refuses the key
     * @throws ManagerException if nothing serves the address, or no backend on the classpath knows its scheme
     */
    static Manager connect(String address, byte[] authKey) {
        return builder().authKey(authKey).connect(address);
    }

    /** Connects to a running server with this process's auth key (inherited from the process that started it). */
    static Manager connect(String address) {
        return builder().connect(address);
    }

    /**
     * Where the server listens: {@code unix:/path} or {@code tcp://host:port}. For a manager whose
     * {@link #start()} did not wait, this waits until the server listens (as the first call does), so that
     * the address can be given to another process at once.
     */
    String address();

    /** A new namespace (Python's {@code Manager().Namespace()}). */
    Namespace namespace();

    /** A new map (Python's {@code Manager().dict()}). */
    <K, V> SharedMap<K, V> map();

    /**
     * A new list (Python's {@code Manager().list()}): a {@link List} whose every method is one atomic call;
     * iteration works on a snapshot; {@code equals} is identity of the remote list.
     */
    <E> List<E> list();

    /** A new set: a {@link Set} whose every method is one atomic call; iteration works on a snapshot. */
    <E> Set<E> set();

    /** A new value (Python's {@code Manager().Value}). */
    <T> ManagedValue<T> value(T initial);

    /** A new array of {@code length} zeros (Python's {@code Manager().Array('d', ...)}). */
    ManagedDoubleArray doubleArray(int length);

    ManagedDoubleArray doubleArray(double[] values);

    ManagedIntArray intArray(int length);

    ManagedIntArray intArray(int[] values);

    ManagedLongArray longArray(int length);

    ManagedLongArray longArray(long[] values);

    /** A new unbounded FIFO queue (Python's {@code Manager().Queue()}). */
    <E> BlockingQueue<E> queue();

    /** A new FIFO queue holding at most {@code capacity} items; puts wait for room. */
    <E> BlockingQueue<E> queue(int capacity);

    /**
     * A new unbounded queue that counts unfinished tasks (Python's {@code Manager().JoinableQueue()}); items
     * taken by a process that dies before marking them done go back to the queue.
     */
    <E> JoinableQueue<E> joinableQueue();

    /** A new joinable queue holding at most {@code capacity} items; puts wait for room. */
    <E> JoinableQueue<E> joinableQueue(int capacity);

    /** A new non-reentrant lock (Python's {@code Manager().Lock()}). */
    ManagedLock lock();

    /** A new reentrant lock (Python's {@code Manager().RLock()}). */
    ManagedLock rlock();

    ManagedSemaphore semaphore(int permits);

    ManagedSemaphore boundedSemaphore(int permits);

    ManagedEvent event();

    /** A new condition of {@code lock} (Python's {@code Manager().Condition(lock)}); same as {@code lock.newCondition()}. */
    Condition condition(ManagedLock lock);

    ManagedBarrier barrier(int parties);

    /**
     * A new instance of the registered type {@code typeId}, made on the server by its factory with
     * {@code args}, and a proxy to it implementing {@code type}: every method call runs on that one instance.
     */
    <T> T create(String typeId, Class<T> type, Object... args);

    /** The pid of the server's JVM if this process started it in its own JVM; empty otherwise. */
    default java.util.OptionalLong serverPid() {
        return java.util.OptionalLong.empty();
    }

    /** Stops the server (every client's calls then fail) and closes this connection. */
    void shutdown();

    /**
     * Closes this connection; the server releases the objects and locks only this client held. A manager
     * started by this process (by {@link #start()} or the builder) is shut down too. Idempotent.
     */
    @Override
    void close();

    /** Options for a manager; {@link #start()} starts it. */
    final class Builder {
        boolean inProcess;
        String address;
        byte[] authKey;
        final List<Registration> registrations = new ArrayList<>();
        final List<String> allowedClasses = new ArrayList<>();
        final List<String> allowedPackages = new ArrayList<>();
        int maxFrameBytes = 64 << 20;
        Duration handshakeTimeout = Duration.ofSeconds(5);
        int maxConnections = 4096;
        int maxHandshakes = 64;
        final List<String> jvmOptions = new ArrayList<>();
        Duration startTimeout = Duration.ofSeconds(60);
        Boolean warm;
        Class<? extends CodecProvider> codec = CodecProvider.Standard.class;

        Builder() {
        }

        /** Runs the server in this JVM (threads) instead of its own JVM. */
        public Builder inProcess() {
            this.inProcess = true;
            return this;
        }

        /**
         * Where to listen: {@code unix:/path/to.sock} (default: a fresh socket in a directory only this user can
         * read) or {@code tcp://host:port} (port 0: any free port; see {@link Manager#address()}).
         */
        public Builder address(String address) {
            Address.parse(address);
            this.address = address;
            return this;
        }

        /** The key clients must prove they hold; default: this process's key, which its children inherit. */
        public Builder authKey(byte[] key) {
            AuthKeys.check(key);
            this.authKey = key.clone();
            return this;
        }

        /**
         * Registers a type: {@link Manager#create} makes an instance with {@code factory} on the server and
         * returns a proxy implementing {@code type}. {@code exposed}: the only methods proxies may call (all
         * if none are named). A method of {@code type} whose return type is another registered interface
         * returns a proxy to the object it returned.
         */
        public <T> Builder register(String typeId, Class<T> type, SerializableCallable<? extends T> factory,
                String... exposed) {
            return register(typeId, type, (ObjectFactory<T>) args -> {
                if (args.length != 0) {
                    throw new IllegalArgumentException("type '" + typeId + "' takes no constructor arguments");
                }
                return factory.call();
            }, exposed);
        }

        /** Registers a type whose factory takes the arguments given to {@link Manager#create}. */
        public <T> Builder register(String typeId, Class<T> type, ObjectFactory<? extends T> factory, String... exposed) {
            for (Registration r : registrations) {
                if (r.typeId().equals(typeId)) {
                    throw new IllegalArgumentException("type '" + typeId + "' is already registered");
                }
            }
            registrations.add(new Registration(typeId, type, factory, Set.of(exposed)));
            return this;
        }

        /** Lets values of these classes (and arrays of them) be deserialized by the server and its clients. */
        public Builder allow(Class<?>... classes) {
            for (Class<?> c : classes) {
                allowedClasses.add(c.getName());
            }
            return this;
        }

        /** Lets classes of these packages and their subpackages be deserialized ({@code "com.example.model"}). */
        public Builder allowPackage(String... packages) {
            allowedPackages.addAll(Arrays.asList(packages));
            return this;
        }

        /** The largest request or reply, in bytes (default 64 MiB). */
        public Builder maxFrameBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxFrameBytes must be at least 1024: " + bytes);
            }
            this.maxFrameBytes = bytes;
            return this;
        }

        /**
         * The codec for requests and replies (default {@link CodecProvider#standard()}); the class must be on
         * the classpath of the server and of every client, with a public no-argument constructor.
         */
        public Builder codec(Class<? extends CodecProvider> provider) {
            this.codec = java.util.Objects.requireNonNull(provider);
            return this;
        }

        /** How long a new connection has to prove its key (default 5 s). */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        /** The most client connections served at once (default 4096); more are closed on arrival. */
        public Builder maxConnections(int max) {
            this.maxConnections = max;
            return this;
        }

        /** JVM options for the server's own JVM (heap, system properties). */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(Arrays.asList(options));
            return this;
        }

        /**
         * Whether the server may take a pre-started idle JVM ({@link dev.procshare.process.JvmProcess#keepWarm}),
         * which makes {@link #start()} several times faster; default: the {@code procshare.warm} property.
         */
        public Builder warm(boolean warm) {
            this.warm = warm;
            return this;
        }

        /**
         * How long the server's JVM has to listen (default 60 s): what {@link #start()}, or the first call on
         * a manager whose start did not wait (see {@link Manager}), waits at most.
         */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        ServerConfig config(Address where, byte[] key) {
            AllowList allowList = AllowList.defaults().allowClasses(allowedClasses).allowPackages(allowedPackages);
            return new ServerConfig(where, key, registrations, allowList, maxFrameBytes, handshakeTimeout,
                    maxConnections, maxHandshakes, codec.getName());
        }

        /**
         * Connects to {@code address} with this builder's key (default: the one this process has for the
         * address, else its own), allow-list and codec. A socket server ({@code unix:}, {@code tcp:}) already
         * has its types, so registrations here are refused; a {@link ManagerBackend}'s engine has no server of
         * ours, so this process hosts the types it registers here and serves their calls from any process.
         */
        public Manager connect(String address) {
            String scheme = Backends.scheme(address);
            if (Backends.isBuiltIn(scheme)) {
                if (!registrations.isEmpty()) {
                    throw new IllegalStateException("types are registered with the server that Manager.start() "
                            + "starts; a client of " + address + " only creates them by name");
                }
                Address a = Address.parse(address);
                byte[] key = authKey != null ? authKey : AuthKeys.forAddress(a);
                ManagerClient client = ManagerClient.connect(a, key);
                AuthKeys.remember(a, key);
                ManagerClient.share(client);
                return new SocketManager(client, null, null, null);
            }
            ManagerBackend backend = Backends.forScheme(scheme, address);
            // never the process key: a backend's address may come from a value another host wrote, and the
            // family's key must not be sent to whatever it names
            byte[] key = authKey != null ? authKey : AuthKeys.recorded(address);
            if (key == null) {
                throw new AuthenticationException("no auth key for " + address + ": pass it to Manager.connect("
                        + "address, key) (a child JVM inherits the key its parent connected with)");
            }
            AllowList allowList = AllowList.defaults().allowClasses(allowedClasses).allowPackages(allowedPackages);
            Manager manager = backend.connect(address, key, new ManagerOptions(registrations, allowList));
            AuthKeys.remember(address, key);
            return manager;
        }

        /** Starts the server (in its own JVM unless {@link #inProcess()}) and returns a connected manager. */
        public Manager start() {
            return ManagerLauncher.start(this);
        }

        /**
         * Starts a server in this JVM and returns it without connecting (Python's {@code get_server()}): for a
         * process whose job is to serve, until {@link ManagerServer#awaitShutdown()} returns.
         */
        public ManagerServer serve() {
            return ManagerLauncher.serve(this);
        }
    }
}
