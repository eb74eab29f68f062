package dev.procshare.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.process.JvmProcess;
import dev.procshare.process.RemoteTaskException;
import dev.procshare.testkit.NoLeaks;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Listener and Client across JVMs: auth keys, hostile peers, connections that travel, a creator that dies. */
@ExtendWith(NoLeaks.class)
class ListenerClientTest {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final byte[] KEY = "a key for this test".getBytes(StandardCharsets.US_ASCII);

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    /** A client in this JVM needs the handshake's other half to run meanwhile, as in Python. */
    private static CompletableFuture<Connection> acceptLater(Listener listener) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept(BOUND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void childConnectsOverTcpWithTheAuthKey() throws Exception {
        try (Listener listener = Listener.bind("tcp://127.0.0.1:0", KEY)) {
            String address = listener.address();
            byte[] key = KEY;
            try (JvmProcess child = JvmProcess.builder().call(() -> {
                try (Connection c = Client.connect(address, key)) {
                    c.send("hello from " + ProcessHandle.current().pid());
                    return c.recv(BOUND);
                }
            }).start(); Connection served = listener.accept(BOUND)) {
                assertEquals("hello from " + child.pid(), served.recv(BOUND));
                served.send(List.of(1, 2, 3));
                assertEquals(List.of(1, 2, 3), child.result(BOUND));
            }
            assertThrows(IllegalArgumentException.class, () -> Listener.bind("tcp://127.0.0.1:0", null),
                    "TCP needs an auth key");
        }
    }

    @Test
    void unixListenerUsesTheFamilyKeyAndRemovesItsSocket() throws Exception {
        Path socket;
        try (Listener listener = Listener.bind()) {
            String address = listener.address();
            socket = Path.of(address.substring("unix:".length()));
            assertTrue(Files.exists(socket));
            try (JvmProcess child = JvmProcess.builder().call(() -> {
                try (Connection c = Client.connect(address)) { // the key this child inherited
                    return c.recv(BOUND);
                }
            }).start(); Connection served = listener.accept(BOUND)) {
                served.send("family");
                assertEquals("family", child.result(BOUND));
            }
        }
        assertTrue(Files.notExists(socket.getParent()), "close() removes the private directory");
    }

    @Test
    void wrongKeyIsRefusedOnBothSides() throws Exception {
        try (Listener listener = Listener.bind("tcp://127.0.0.1:0", KEY)) {
            String address = listener.address();
            try (JvmProcess child = JvmProcess.builder().call(() -> {
                try (Connection c = Client.connect(address, "another key".getBytes(StandardCharsets.US_ASCII))) {
                    return "connected?!";
                }
            }).start()) {
                AuthenticationFailedException here = assertThrows(AuthenticationFailedException.class,
                        () -> listener.accept(BOUND));
                assertTrue(here.getMessage().contains("wrong auth key"), here.getMessage());
                RemoteTaskException there = assertThrows(RemoteTaskException.class, () -> child.result(BOUND));
                AuthenticationFailedException cause = assertInstanceOf(AuthenticationFailedException.class,
                        there.getCause());
                assertTrue(cause.getMessage().contains("differs from the listener's"), cause.getMessage());
            }
        }
    }

    @Test
    void garbageOnARawSocketFailsThatAcceptOnlyAndAnOversizedFrameIsRefused() throws Exception {
        try (Listener listener = Listener.bind()) {
            String path = listener.address().substring("unix:".length());
            try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                raw.connect(UnixDomainSocketAddress.of(path));
                raw.write(ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
                AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
                        () -> listener.accept(BOUND));
                assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
            }
            CompletableFuture<Connection> accepted = acceptLater(listener);
            try (Connection client = Client.connect(listener.address()); Connection served = accepted.get()) {
                client.send("the listener still works");
                assertEquals("the listener still works", served.recv(BOUND));
            }
            assertThrows(java.net.SocketTimeoutException.class, () -> listener.accept(Duration.ofMillis(20)));
        }
    }

    @Test
    void connectionFromClientTravelsToAChild() throws Exception {
        try (Listener listener = Listener.bind()) {
            CompletableFuture<Connection> accepted = acceptLater(listener);
            Connection client = Client.connect(listener.address());
            try (Connection served = accepted.get()) {
                client.send("used here first");
                assertEquals("used here first", served.recv(BOUND));
                try (JvmProcess child = JvmProcess.builder().call(() -> {
                    client.send("from the child");
                    return client.recv(BOUND);
                }).start()) {
                    assertEquals("from the child", served.recv(BOUND));
                    served.send("to the child");
                    assertEquals("to the child", child.result(BOUND));
                }
            } finally {
                client.close(); // only forgotten here: it went to the child
            }
        }
    }

    @Test
    void endsOfAPipeMadeByAChildGetEofWhenThatChildDies() throws Exception {
        try (Listener listener = Listener.bind()) {
            String address = listener.address();
            try (JvmProcess creator = JvmProcess.builder().target(() -> {
                try {
                    Connection parent = Client.connect(address);
                    Pipe direct = Pipe.open();
                    Pipe relayed = Pipe.open();
                    parent.send(List.of(direct.second(), relayed.first(), relayed.second()));
                    direct.first().send("direct");
                    Thread.sleep(600_000);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).start(); Connection fromCreator = listener.accept(BOUND)) {
                List<?> ends = (List<?>) fromCreator.recv(BOUND);
                Connection direct = (Connection) ends.get(0);
                Connection relayedIn = (Connection) ends.get(1);
                Connection relayedOut = (Connection) ends.get(2);
                assertEquals("direct", direct.recv(BOUND));
                relayedOut.send("through the creator");
                assertEquals("through the creator", relayedIn.recv(BOUND));
                creator.kill();
                assertThrows(PeerClosedException.class, () -> direct.recv(BOUND));
                assertThrows(PeerClosedException.class, () -> relayedIn.recv(BOUND));
                assertThrows(PeerClosedException.class, () -> fromCreator.recv(BOUND));
                direct.close();
                relayedIn.close();
                relayedOut.close();
            }
        }
    }
}
