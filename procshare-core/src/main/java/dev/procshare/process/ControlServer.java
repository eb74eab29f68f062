package dev.procshare.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * This JVM's end of the private channels to its children: a Unix domain socket in a directory only this
 * user can enter. A child proves it is the one we started by sending the one-time token it got on its
 * standard input; connections with an unknown token are dropped.
 */
final class ControlServer {
    private static final String DIR_PREFIX = "procshare-ctl-";
    private static ControlServer instance;

    private final Path directory;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Map<String, CompletableFuture<SocketChannel>> pending = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    private ControlServer() throws IOException {
        cleanStaleDirectories();
        directory = Files.createTempDirectory(DIR_PREFIX + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        socket = directory.resolve("ctl.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread acceptor = new Thread(this::acceptLoop, "procshare-control-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::delete, "procshare-control-cleanup"));
    }

    static synchronized ControlServer get() {
        if (instance == null) {
            try {
                instance = new ControlServer();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the control socket for child JVMs", e);
            }
        }
        return instance;
    }

    Path socket() {
        return socket;
    }

    /** A private file name for a one-shot child's outcome. */
    Path outcomeFile(String token) {
        return directory.resolve(token + ".outcome");
    }

    /** A fresh token and the future that completes with the channel of the child that presents it. */
    String newToken() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        pending.put(token, new CompletableFuture<>());
        return token;
    }

    CompletableFuture<SocketChannel> connection(String token) {
        return pending.get(token);
    }

    void forget(String token) {
        CompletableFuture<SocketChannel> future = pending.remove(token);
        if (future != null) {
            future.cancel(false);
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
        try {
            byte[] hello = Frames.read(channel, 32);
            if (hello.length == 32) {
                CompletableFuture<SocketChannel> future = pending.remove(new String(hello, StandardCharsets.US_ASCII));
                if (future != null && future.complete(channel)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not one of our children
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    private void delete() {
        try {
            server.close();
            Files.deleteIfExists(socket);
            Files.deleteIfExists(directory);
        } catch (IOException ignored) {
            // best effort at exit; the next JVM removes directories of dead pids
        }
    }

    /** Removes control directories left by JVMs that were killed. */
    private static void cleanStaleDirectories() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> entries = Files.list(tmp)) {
            entries.filter(p -> p.getFileName().toString().startsWith(DIR_PREFIX)).forEach(dir -> {
                String rest = dir.getFileName().toString().substring(DIR_PREFIX.length());
                int dash = rest.indexOf('-');
                try {
                    long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                    if (ProcessHandle.of(pid).isEmpty()) {
                        Files.deleteIfExists(dir.resolve("ctl.sock"));
                        Files.deleteIfExists(dir);
                    }
                } catch (NumberFormatException | IOException ignored) {
                    // not ours, or not empty: leave it
                }
            });
        } catch (IOException ignored) {
            // an unreadable temp directory only means nothing is cleaned
        }
    }
}
