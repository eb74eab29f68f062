package dev.procshare.manager;

import dev.procshare.codec.AllowList;
import dev.procshare.codec.Codec;
import dev.procshare.connection.Address;
import dev.procshare.connection.Sockets;
import dev.procshare.process.JvmProcess;
import dev.procshare.process.PrivateDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Starts servers: in this JVM, or in a daemon child JVM that reports its address through a private file. */
final class ManagerLauncher {
    static final String DIR_PREFIX = "procshare-mgr-";
    private static final String ADDRESS_FILE = "address";

    private ManagerLauncher() {
    }

    static ManagerServer serve(Manager.Builder b) {
        byte[] key = b.authKey != null ? b.authKey : AuthKeys.processKey();
        Path dir = b.address == null ? privateDirectory() : null;
        Address where = address(b, dir);
        try {
            return ManagerServer.start(b.config(where, key));
        } catch (IOException | RuntimeException e) {
            PrivateDirectory.delete(dir);
            throw new ManagerException("cannot listen at " + where + ": " + e.getMessage(), e);
        }
    }

    static Manager start(Manager.Builder b) {
        byte[] key = b.authKey != null ? b.authKey : AuthKeys.processKey();
        if (b.inProcess) {
            ManagerServer server = serve(b);
            try {
                ManagerClient client = ManagerClient.connect(server.boundAddress(), key);
                rememberKey(server.boundAddress(), key);
                ManagerClient.share(client);
                return new SocketManager(client, server, null, null);
            } catch (RuntimeException e) {
                server.close();
                deleteSocketDirectory(server.boundAddress());
                throw e;
            }
        }
        Path dir = privateDirectory();
        Address where = address(b, dir);
        ServerConfig config = b.config(where, key);
        String addressFile = dir.resolve(ADDRESS_FILE).toString();
        JvmProcess.Builder jvm = serverJvm(b, config, addressFile);
        if (inPrivateDirectory(where)) {
            return startingManager(jvm, where, key, dir, b.startTimeout);
        }
        JvmProcess process = null;
        try {
            process = jvm.start();
            // What managers of killed JVMs left, and what the connection will load: while the new JVM boots.
            ManagerSockets.cleanStale(false);
            warmUpFirstConnection(where.isUnix());
            Address bound = awaitAddress(process, Path.of(addressFile), b.startTimeout);
            ManagerClient client = ManagerClient.starting(bound, key, null);
            connectWhenListening(process, bound, client, b.startTimeout);
            rememberKey(bound, key);
            ManagerClient.share(client);
            return new SocketManager(client, null, java.util.concurrent.CompletableFuture.completedFuture(process), dir);
        } catch (RuntimeException e) {
            if (process != null) {
                process.kill();
            }
            PrivateDirectory.delete(dir);
            throw e;
        }
    }

    /** How the server's own JVM is started: a daemon child running {@link ManagerServerEntry}. */
    private static JvmProcess.Builder serverJvm(Manager.Builder b, ServerConfig config, String addressFile) {
        JvmProcess.Builder jvm = JvmProcess.builder().name("procshare-manager").daemon(true);
        List<String> options = new ArrayList<>(b.jvmOptions);
        if (!Boolean.TRUE.equals(b.warm)) {
            // Its own class-data archive: a server loads other classes than a pool worker (measured: a
            // cold start with it is ~20 ms faster). A warm start takes a generic pre-started JVM instead.
            options.add("-Dprocshare.role=manager-server");
        }
        if (!options.isEmpty()) {
            jvm.jvmOptions(options.toArray(new String[0]));
        }
        if (b.warm != null) {
            jvm.warm(b.warm);
        }
        try {
            return jvm.entry(ManagerServerEntry.class, ManagerServerEntry.input(config, addressFile));
        } catch (IOException e) {
            throw new ManagerException("cannot start the manager's JVM: " + e, e);
        }
    }

    /**
     * The manager of a server whose JVM is not even launched yet: the address is known (a socket in a fresh
     * private directory, which no other server can hold), and a thread of this JVM launches the server's JVM
     * and connects as soon as it listens. The first call waits for that, at most {@code timeout}, and fails
     * with the reason if the server could not start. Meanwhile the caller goes on: a pool's workers, say,
     * boot beside the server instead of after it, and the launch itself ({@code ProcessBuilder}'s first use
     * in a JVM costs tens of ms) is off the caller's thread.
     */
    private static Manager startingManager(JvmProcess.Builder jvm, Address where, byte[] key, Path dir,
                                           Duration timeout) {
        java.util.concurrent.CompletableFuture<Void> started = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<JvmProcess> launched = new java.util.concurrent.CompletableFuture<>();
        ManagerClient client = ManagerClient.starting(where, key, started);
        rememberKey(where, key);
        ManagerClient.share(client);
        Thread connector = new Thread("procshare-manager-start") { // not a lambda: a cold JVM's first costs ms
            @Override
            public void run() {
                try {
                    JvmProcess process = jvm.start();
                    launched.complete(process);
                    ManagerSockets.cleanStale(false); // what managers of killed JVMs left, while the new one boots
                    warmUpFirstConnection(where.isUnix()); // and what the connection will load: ~60 ms less after the wait
                    connectWhenListening(process, where, client, timeout);
                    started.complete(null);
                } catch (RuntimeException | Error e) {
                    launched.completeExceptionally(e);
                    started.completeExceptionally(e);
                }
            }
        };
        connector.setDaemon(true);
        connector.start();
        return new SocketManager(client, null, launched, dir);
    }

    /** The builder's address, or the socket in {@code dir}, a fresh private directory. */
    private static Address address(Manager.Builder b, Path dir) {
        return b.address != null ? Address.parse(b.address) : Address.unix(dir.resolve("manager.sock"));
    }

    private static void rememberKey(Address address, byte[] key) {
        if (!Arrays.equals(key, AuthKeys.processKey())) {
            AuthKeys.remember(address, key);
        }
    }

    /** Serve until shut down, after telling the parent where. */
    static void serveInThisJvm(ServerConfig config, String addressFile) throws IOException, InterruptedException {
        prepareFirstConnection();
        ManagerServer server = ManagerServer.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread("procshare-manager-close") { // not a lambda: see above
            @Override
            public void run() {
                server.close();
            }
        });
        if (!inPrivateDirectory(config.address())) { // else the parent knows the path and waits for the socket itself
            Path file = Path.of(addressFile);
            Path tmp = file.resolveSibling(ADDRESS_FILE + ".tmp");
            Files.writeString(tmp, server.address(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        }
        server.awaitShutdown();
    }

    /**
     * Loads, on a second core while this thread binds, what the first connection needs: the parent connects
     * the moment the server listens.
     */
    private static void prepareFirstConnection() {
        Thread warm = new Thread("procshare-manager-warm-up") {
            @Override
            public void run() {
                warmUpFirstConnection(false); // the server bound its socket already
            }
        };
        warm.setDaemon(true);
        warm.start();
    }

    /**
     * Loads and runs once, in a fresh JVM, what either side of a first connection needs (the Unix socket and
     * selector machinery, the handshake's HMAC, the shared-memory link, the codec), where a thread would
     * otherwise wait: measured in a parent, the first connection's own 85 ms were mostly these classes.
     */
    static void warmUpFirstConnection(boolean unixSocket) {
        if (unixSocket) {
            Sockets.warmUp();
        }
        try {
            Handshake.mac(new byte[32], "server", Handshake.nonce());
            ShmLink.create().close();
            Codec codec = CodecProvider.standard().create(AllowList.defaults());
            codec.decode(codec.encode(new ArrayList<>(List.of(0, "warm-up", 0L, new ArrayList<>()))));
        } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError ignored) {
            // only an optimisation: the connection itself reports what is wrong
        }
    }

    private static boolean inPrivateDirectory(Address address) {
        if (!address.isUnix()) {
            return false;
        }
        Path parent = Path.of(address.path()).getParent();
        return parent != null && parent.getFileName().toString().startsWith(DIR_PREFIX)
                && Path.of(address.path()).getFileName().toString().equals("manager.sock");
    }

    /**
     * Opens {@code client}'s first connection as soon as the new server listens (a Unix socket: its file
     * appears), or fails if its JVM died or the timeout passed.
     */
    private static void connectWhenListening(JvmProcess process, Address address, ManagerClient client,
                                             Duration timeout) {
        StartWait wait = new StartWait(process, timeout);
        while (true) {
            if (!address.isUnix() || Files.exists(Path.of(address.path()))) {
                try {
                    client.connectFirst();
                    return;
                } catch (ManagerUnavailableException notYet) {
                    // bound but not yet listening: a moment more
                }
            }
            wait.pause();
        }
    }

    /** The address a server with a TCP (or chosen) address wrote once it listened. */
    private static Address awaitAddress(JvmProcess process, Path file, Duration timeout) {
        StartWait wait = new StartWait(process, timeout);
        while (true) {
            try {
                if (Files.exists(file)) {
                    return Address.parse(Files.readString(file, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            wait.pause();
        }
    }

    /** Waiting for a server JVM to listen: short, growing pauses; an error if it died, timed out or we were interrupted. */
    private static final class StartWait {
        private final JvmProcess process;
        private final Duration timeout;
        private final long deadline;
        private long pause = 100_000;

        StartWait(JvmProcess process, Duration timeout) {
            this.process = process;
            this.timeout = timeout;
            this.deadline = System.nanoTime() + timeout.toNanos();
        }

        void pause() {
            if (!process.isAlive()) {
                throw new ManagerException("the manager's JVM exited before it listened (exit code "
                        + process.exitCode().orElse(-1) + "); its output went to this process's stderr");
            }
            if (System.nanoTime() > deadline) {
                throw new ManagerException("the manager's JVM did not listen within " + timeout);
            }
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new ManagerException("interrupted while waiting for the manager's JVM to listen");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 500_000);
        }
    }

    /** A fresh directory only this user can enter, named after this JVM so that leftovers can be found. */
    static Path privateDirectory() {
        try {
            return PrivateDirectory.create(DIR_PREFIX);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a private directory for the manager's socket", e);
        }
    }

    static void deleteSocketDirectory(Address address) {
        if (address.isUnix()) {
            Path dir = Path.of(address.path()).getParent();
            if (dir != null && dir.getFileName().toString().startsWith(DIR_PREFIX)) {
                PrivateDirectory.delete(dir);
            }
        }
    }
}
