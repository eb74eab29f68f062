package dev.procshare.manager;

import dev.procshare.connection.Address;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.codec.AllowList;
import dev.procshare.codec.FastCodec;
import dev.procshare.codec.JavaCodec;
import dev.procshare.manager.outside.Outsider;
import dev.procshare.testkit.NoLeaks;
import java.io.EOFException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.management.BadAttributeValueExpException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad keys, bad bytes and bad classes get clear errors, and the server goes on serving. */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class ManagerSecurityTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static Manager start(Manager.Builder builder) {
        return builder.inProcess().authKey(KEY).start();
    }

    private static void stillServes(Manager manager) {
        try (Manager other = Manager.connect(manager.address(), KEY)) {
            Namespace ns = other.namespace();
            ns.set("alive", true);
            assertEquals(true, ns.get("alive"));
        }
    }

    @Test
    void wrongAuthKeyIsRefusedAndTheServerServesTheNextClient() {
        try (Manager manager = start(Manager.builder())) {
            byte[] wrong = KEY.clone();
            wrong[0] ^= 1;
            AuthenticationException e = assertThrows(AuthenticationException.class,
                    () -> Manager.connect(manager.address(), wrong));
            assertTrue(e.getMessage().contains("wrong auth key"), e.getMessage());
            stillServes(manager);
        }
    }

    @Test
    void unixSocketIsPrivateToItsUser() throws Exception {
        try (Manager manager = start(Manager.builder())) {
            Path socket = Path.of(manager.address().substring("unix:".length()));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
        }
    }

    @Test
    void garbageBeforeAuthenticationIsRefusedWithoutDecoding() throws Exception {
        try (Manager manager = start(Manager.builder())) {
            Address address = Address.parse(manager.address());
            Random random = new Random(42);
            for (int i = 0; i < 50; i++) {
                try (Connection raw = Connection.open(address)) {
                    raw.receive(512, 0, deadline(), null); // greeting
                    byte[] junk = new byte[random.nextInt(200)];
                    random.nextBytes(junk);
                    raw.send(junk);
                    byte[] verdict = raw.receive(512, 0, deadline(), null);
                    assertEquals("NO", new String(verdict, 0, 2, StandardCharsets.US_ASCII));
                    assertThrows(EOFException.class, () -> raw.receive(512, 0, deadline(), null));
                }
            }
            try (Connection raw = Connection.open(address)) {
                raw.receive(512, 0, deadline(), null);
                rawHeader(raw, Integer.MAX_VALUE); // a huge declared length before authentication
                assertThrows(EOFException.class, () -> raw.receive(512, 0, deadline(), null));
            }
            stillServes(manager);
        }
    }

    @Test
    void replayedHandshakeAnswerIsRefused() throws Exception {
        try (Manager manager = start(Manager.builder())) {
            Address address = Address.parse(manager.address());
            byte[] recorded;
            try (Connection first = Connection.open(address)) {
                byte[] greeting = first.receive(512, 0, deadline(), null);
                byte[] nonce = Arrays.copyOfRange(greeting, 4, greeting.length);
                recorded = ByteBuffer.allocate(80).put(Handshake.mac(KEY, "client", nonce))
                        .put(new byte[32]).put(new byte[16]).array();
                first.send(recorded);
                assertEquals("OK", new String(first.receive(1 << 16, 0, deadline(), null), 0, 2, StandardCharsets.US_ASCII));
            }
            try (Connection replay = Connection.open(address)) {
                replay.receive(512, 0, deadline(), null);
                replay.send(recorded);
                byte[] verdict = replay.receive(512, 0, deadline(), null);
                assertEquals("NO", new String(verdict, 0, 2, StandardCharsets.US_ASCII), "a fresh nonce defeats a replay");
            }
        }
    }

    @Test
    void silentPeerIsDroppedAfterTheHandshakeTimeout() throws Exception {
        try (Manager manager = start(Manager.builder().handshakeTimeout(Duration.ofMillis(300)))) {
            try (Connection raw = Connection.open(Address.parse(manager.address()))) {
                raw.receive(512, 0, deadline(), null);
                long start = System.nanoTime();
                assertThrows(EOFException.class, () -> raw.receive(512, 0, deadline(), null));
                assertTrue(System.nanoTime() - start < 3_000_000_000L);
            }
            stillServes(manager);
        }
    }

    @Test
    void garbageAndOversizedFramesAfterAuthenticationGetErrors() throws Exception {
        try (Manager manager = start(Manager.builder().maxFrameBytes(4096))) {
            Address address = Address.parse(manager.address());
            FastCodec codec = FastCodec.withFallback(JavaCodec.restricted(AllowList.defaults()));
            try (Connection conn = Connection.open(address)) {
                Handshake.connect(conn, KEY, new byte[16], deadline());
                conn.send(new byte[] {1, 2, 3, 4, 5});
                List<?> reply = (List<?>) codec.decode(conn.receive(1 << 20, 0, deadline(), null));
                assertEquals(1, reply.get(0));
                assertTrue(reply.get(1).toString().contains("could not be decoded"), reply.get(1).toString());
                conn.send(codec.encode(new ArrayList<>(List.of(1, 0L, "ping", 0L, new ArrayList<>()))));
                reply = (List<?>) codec.decode(conn.receive(1 << 20, 0, deadline(), null));
                assertEquals(0, reply.get(0), "the connection still serves after a garbled frame");

                rawHeader(conn, 1 << 30);
                reply = (List<?>) codec.decode(conn.receive(1 << 20, 0, deadline(), null));
                assertTrue(reply.get(1).toString().contains("limit 4096"), reply.get(1).toString());
                assertThrows(EOFException.class, () -> conn.receive(1 << 20, 0, deadline(), null));
            }
            stillServes(manager);
        }
    }

    @Test
    void classesOutsideTheAllowListAreRefusedByName() throws Exception {
        try (Manager manager = start(Manager.builder())) {
            Namespace ns = manager.namespace();
            for (Object refused : List.of(new Outsider(), new BadAttributeValueExpException("gadget"),
                    new URL("http://example.invalid/"))) {
                ManagerException e = assertThrows(ManagerException.class, () -> ns.set("x", refused));
                assertTrue(e.getMessage().contains(refused.getClass().getName()), e.getMessage());
                assertTrue(e.getMessage().contains("allow"), e.getMessage());
            }
            assertEquals(false, ns.contains("x"), "nothing was stored");
            stillServes(manager);
        }
        try (Manager manager = start(Manager.builder().allow(Outsider.class))) {
            Namespace ns = manager.namespace();
            ns.set("x", new Outsider());
            assertInstanceOf(Outsider.class, ns.get("x"));
        }
    }

    @Test
    void theSharedMemoryChannelIsMadeByTheServerOnceAndOnlyForLocalClients() throws Exception {
        FastCodec codec = FastCodec.withFallback(JavaCodec.restricted(AllowList.defaults()));
        byte[] ask = codec.encode(new ArrayList<>(List.of(1, 0L, "shm", 0L, new ArrayList<>())));
        try (Manager manager = start(Manager.builder())) {
            try (Connection conn = Connection.open(Address.parse(manager.address()))) {
                Handshake.connect(conn, KEY, new byte[16], deadline());
                conn.send(ask);
                List<?> reply = (List<?>) codec.decode(conn.receive(1 << 20, 0, deadline(), null));
                assertEquals(0, reply.get(0));
                ShmLink link = ShmLink.open((String) reply.get(1)); // the server made it; the client opens it
                link.unlink();
                conn.useShm(link);
                conn.send(ask);
                reply = (List<?>) codec.decode(conn.receive(1 << 20, 0, deadline(), null));
                assertEquals(1, reply.get(0), "a second channel for one connection is refused");
                assertTrue(reply.get(1).toString().contains("already"), reply.get(1).toString());
            }
            stillServes(manager);
        }
        try (Manager tcp = start(Manager.builder().address("tcp://127.0.0.1:0"));
             Connection conn = Connection.open(Address.parse(tcp.address()))) {
            Handshake.connect(conn, KEY, new byte[16], deadline());
            conn.send(ask);
            List<?> reply = (List<?>) codec.decode(conn.receive(1 << 20, 0, deadline(), null));
            assertEquals(1, reply.get(0), "a client over TCP gets no shared memory");
        }
    }

    @Test
    void tcpNeedsTheKeyToo() {
        try (Manager manager = start(Manager.builder().address("tcp://127.0.0.1:0"))) {
            assertTrue(manager.address().startsWith("tcp://127.0.0.1:") && !manager.address().endsWith(":0"),
                    manager.address());
            assertThrows(AuthenticationException.class, () -> Manager.connect(manager.address(), new byte[] {1}));
            stillServes(manager);
        }
    }

    private static void rawHeader(Connection conn, int length) throws Exception {
        java.lang.reflect.Field f = Connection.class.getDeclaredField("channel");
        f.setAccessible(true);
        ((java.nio.channels.SocketChannel) f.get(conn)).write(ByteBuffer.allocate(4).putInt(0, length));
    }

    private static long deadline() {
        return System.nanoTime() + 10_000_000_000L;
    }

    @Test
    void anExceptionWhoseSuperclassTheClientRefusesTravelsAsText() throws Exception {
        // ClassNotAllowedException is procshare's (allowed), but extends java.io.InvalidClassException (not)
        Throwable error = new ManagerException("request could not be decoded",
                new dev.procshare.codec.ClassNotAllowedException("com.example.Gadget"));
        dev.procshare.codec.Codec codec = CodecProvider.standard().create(AllowList.defaults());
        Throwable sent = RemoteCallException.transportable(error, AllowList.defaults());
        Throwable back = (Throwable) codec.decode(codec.encode(sent));
        RemoteCallException cause = assertInstanceOf(RemoteCallException.class, back.getCause());
        assertEquals("dev.procshare.codec.ClassNotAllowedException", cause.remoteClass());
        assertTrue(cause.getMessage().contains("com.example.Gadget"), cause.getMessage());
    }
}
