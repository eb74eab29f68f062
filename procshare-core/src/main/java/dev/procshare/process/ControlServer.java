package dev.procshare.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * This JVM's end of the private channels to its children: a Unix domain socket in a directory only this
 * user can enter. A child proves it is the one we started by sending the one-time token it got on its
 * standard input; connections with an unknown token, or silent for {@value #HELLO_TIMEOUT_SECONDS} s, are
 * dropped. Its shutdown hook stops this JVM's children first (see {@link JvmProcess}) and then removes the
 * directory, so that no child loses its channel while its parent still waits for it.
 *
 * <p>The socket is bound, and its acceptor and timer threads started, when the first child that connects
 * is launched: a JVM that only starts one-shot children (their outcome comes back in a file) never pays
 * for them.
 */
final class ControlServer {
    private static final String DIR_PREFIX = "procshare-ctl-";
    private static final int HELLO_TIMEOUT_SECONDS = 10;
    private static ControlServer instance;

    private final Path directory;
    private final Path socket;
    private ServerSocketChannel server; // bound by the first expect()
    private ScheduledExecutorService timer;
    private final Map<String, CompletableFuture<SocketChannel>> pending = new ConcurrentHashMap<>();

    /** A token a child must present, and the future its channel completes. */
    record Expected(String token, CompletableFuture<SocketChannel> connection) {
    }

    private ControlServer() throws IOException {
        directory = PrivateDirectory.create(DIR_PREFIX);
        socket = directory.resolve("ctl.sock");
        // off the caller's path: a child is being started meanwhile, and nothing waits for this
        Thread cleaner = new Thread(ControlServer::cleanStaleDirectories, "procshare-control-cleanup");
        cleaner.setDaemon(true);
        cleaner.start();
    }

    /** Binds the socket and starts accepting, once. */
    private synchronized void listen() {
        if (server != null) {
            return;
        }
        try {
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(socket));
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "procshare-control-timer");
                t.setDaemon(true);
                return t;
            });
            server = channel;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the control socket for child JVMs at " + socket, e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "procshare-control-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static synchronized ControlServer get() {
        if (instance == null) {
            try {
                instance = new ControlServer();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the control socket for child JVMs", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(ControlServer::atExit, "procshare-exit"));
        }
        return instance;
    }

    private static void atExit() {
        JvmProcess.atExit();
        WarmJvms.stopAll();
        instance.delete();
    }

    Path socket() {
        return socket;
    }

    /** A private file name for a one-shot child's outcome. */
    Path outcomeFile(String token) {
        return directory.resolve(token + ".outcome");
    }

    /** A fresh one-time token, registered before the child is started so that no hello can be missed. */
    Expected expect() {
        listen();
        String token = newToken();
        CompletableFuture<SocketChannel> future = new CompletableFuture<>();
        pending.put(token, future);
        return new Expected(token, future);
    }

    String newToken() {
        return HexFormat.of().formatHex(RandomBytes.of(16));
    }

    /** Gives up on a token; a channel that arrived for it anyway is closed. */
    void forget(Expected expected) {
        pending.remove(expected.token());
        if (!expected.connection().cancel(false)) {
            expected.connection().thenAccept(ControlServer::closeQuietly);
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel channel = server.accept();
                Thread greeter = new Thread(() -> greet(channel), "procshare-control-hello");
                greeter.setDaemon(true);
                greeter.start();
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }

    private void greet(SocketChannel channel) {
        ScheduledFuture<?> deadline = timer.schedule(() -> closeQuietly(channel), HELLO_TIMEOUT_SECONDS,
                TimeUnit.SECONDS);
        try {
            byte[] hello = Frames.read(channel, 32);
            deadline.cancel(false);
            CompletableFuture<SocketChannel> future = pending.remove(new String(hello, StandardCharsets.US_ASCII));
            if (future != null && future.complete(channel)) {
                return;
            }
        } catch (IOException | RuntimeException e) {
            // not one of our children, or too slow to say so
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    private void delete() {
        ServerSocketChannel channel;
        synchronized (this) {
            channel = server;
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing at exit
            }
        }
        PrivateDirectory.delete(directory);
    }

    /** Removes control directories left by JVMs that were killed. */
    private static void cleanStaleDirectories() {
        for (Path dir : PrivateDirectory.list(DIR_PREFIX)) {
            OptionalLong pid = PrivateDirectory.creatorPid(dir, DIR_PREFIX);
            if (pid.isPresent() && ProcessHandle.of(pid.getAsLong()).isEmpty()) {
                PrivateDirectory.delete(dir);
            }
        }
    }
}
