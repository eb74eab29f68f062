package dev.procshare.manager;

import dev.procshare.connection.Address;
import dev.procshare.reliability.Scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.procshare.codec.AllowList;
import dev.procshare.codec.Codec;
import dev.procshare.codec.JavaCodec;
import dev.procshare.memory.SegmentFormatException;
import dev.procshare.memory.SharedMemory;
import dev.procshare.memory.SharedMemoryException;
import dev.procshare.testkit.NoLeaks;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.rmi.MarshalledObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.BadAttributeValueExpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stranger and a buggy client talk to a manager: random and mutated frames before and after
 * authentication, truncated frames, lying lengths, slow senders, a connection flood, replays, gadget classes;
 * and corrupted segment files. The server must stay up, decode nothing before the key is proven, keep its
 * memory bounded, and keep serving an honest client that runs the whole time.
 */
@ExtendWith(NoLeaks.class)
@Timeout(600)
class HostileInputTest {
    private static final byte[] KEY = "hostile-input-test-key-0123456789".getBytes(StandardCharsets.US_ASCII);
    /** Java deserializations in this JVM, counted by the JVM-wide filter factory. */
    private static final AtomicLong DESERIALIZATIONS = CountingFilterFactory.STREAMS;
    private static final int MAX_FRAME = 1 << 20;

    private static Manager manager;
    private static ManagedLongArray honestCounter;
    private static ManagerServer server;
    private static Thread honest;
    private static final AtomicBoolean stop = new AtomicBoolean();
    /** Set while heap is measured: the honest client's garbage would drown what is measured. */
    private static final AtomicBoolean paused = new AtomicBoolean();
    private static final AtomicLong honestCalls = new AtomicLong();
    private static final AtomicReference<Throwable> honestError = new AtomicReference<>();

    @BeforeAll
    static void start() {
        assertTrue(ObjectInputFilter.Config.getSerialFilterFactory() instanceof CountingFilterFactory,
                "run with -Djdk.serialFilterFactory=" + CountingFilterFactory.class.getName() + " (the pom sets it)");
        server = Manager.builder().authKey(KEY).maxFrameBytes(MAX_FRAME).handshakeTimeout(Duration.ofSeconds(1)).serve();
        manager = Manager.connect(server.address(), KEY);
        // Its calls carry only numbers, which never go through Java serialization: the count of
        // deserializations in this JVM then belongs to the attack alone.
        ManagedLongArray counter = manager.longArray(1);
        honestCounter = counter;
        honest = new Thread(() -> {
            try {
                while (!stop.get()) {
                    if (paused.get()) {
                        Thread.sleep(5);
                        continue;
                    }
                    counter.addAndGet(0, 1);
                    honestCalls.incrementAndGet();
                }
            } catch (Throwable t) {
                honestError.set(t);
            }
        }, "honest-client");
        honest.setDaemon(true);
        honest.start();
    }

    @AfterAll
    static void stop() throws Exception {
        stop.set(true);
        honest.join(10_000);
        try {
            assertEquals(null, honestError.get(), "the honest client failed during the attack");
            assertEquals(honestCalls.get(), honestCounter.get(0), "the honest client's count is exact");
            System.out.println("[figures] hostile-honest-client: updates=" + honestCalls.get() + " errors=0 exact=true");
        } finally {
            manager.close();
            server.close();
        }
    }

    private static Address address() {
        return Address.parse(server.address());
    }

    private static long deadline() {
        return System.nanoTime() + 10_000_000_000L;
    }

    private static void rawWrite(Connection conn, byte[] bytes) throws Exception {
        java.lang.reflect.Field f = Connection.class.getDeclaredField("channel");
        f.setAccessible(true);
        ((java.nio.channels.SocketChannel) f.get(conn)).write(ByteBuffer.wrap(bytes));
    }

    private static byte[] javaSerialized(Object o) throws IOException {
        return JavaCodec.INSTANCE.encode(o);
    }

    /** Reads until the server closes the connection (or a reply comes); true if it closed. */
    private static boolean closedByServer(Connection conn) {
        try {
            while (true) {
                conn.receive(1 << 16, 0, deadline(), null);
            }
        } catch (EOFException e) {
            return true;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    @Test
    void garbageBeforeAuthenticationIsRefusedAndNeverDeserialized() throws Exception {
        Scenario s = new Scenario("hostile-before-auth");
        Random random = s.random;
        byte[] gadget = javaSerialized(new BadAttributeValueExpException("gadget"));
        long before = DESERIALIZATIONS.get();
        int attempts = 3_000 * Scenario.SOAK;
        int refused = 0;
        for (int i = 0; i < attempts; i++) {
            try (Connection raw = Connection.open(address())) {
                byte[] greeting = raw.receive(512, 0, deadline(), null);
                switch (i % 5) {
                    case 0 -> { // random bytes as the answer
                        byte[] junk = new byte[random.nextInt(300)];
                        random.nextBytes(junk);
                        raw.send(junk);
                    }
                    case 1 -> raw.send(gadget); // a serialized gadget instead of the answer
                    case 2 -> rawWrite(raw, ByteBuffer.allocate(4).putInt(0, Integer.MAX_VALUE - random.nextInt(1000)).array());
                    case 3 -> { // a truncated frame, then hang up
                        rawWrite(raw, ByteBuffer.allocate(14).putInt(0, 80).array());
                    }
                    default -> { // a well-formed answer under a wrong key
                        byte[] wrong = KEY.clone();
                        wrong[random.nextInt(wrong.length)] ^= (byte) (1 + random.nextInt(255));
                        byte[] nonce = java.util.Arrays.copyOfRange(greeting, 4, greeting.length);
                        raw.send(ByteBuffer.allocate(80).put(Handshake.mac(wrong, "client", nonce)).put(new byte[48]).array());
                        byte[] verdict = raw.receive(1 << 16, 0, deadline(), null);
                        assertEquals("NO", new String(verdict, 0, 2, StandardCharsets.US_ASCII), "a wrong key was accepted");
                    }
                }
                if (i % 5 == 3) {
                    refused++;
                    continue; // we hang up ourselves
                }
                assertTrue(closedByServer(raw), "the server kept a connection that failed its handshake");
                refused++;
            }
        }
        assertEquals(before, DESERIALIZATIONS.get(), "something was deserialized before authentication");
        s.put("connections", attempts).put("refused", refused).put("deserializedBeforeAuth", 0)
                .put("honestCallsSoFar", honestCalls.get()).print();
    }

    @Test
    void mutatedFramesAfterAuthenticationGetErrorsAndTheServerStaysUp() throws Exception {
        Scenario s = new Scenario("hostile-after-auth");
        Random random = s.random;
        Codec codec = CodecProvider.standard().create(AllowList.defaults());
        int objectsBefore = server.objectCount();
        int frames = 100_000 * Scenario.SOAK;
        int errors = 0;
        int ok = 0;
        int closed = 0;
        int sent = 0;
        // Aimed at the root and at an object id nobody holds: an authenticated client may change any object,
        // and these frames must not change the honest client's.
        long nobody = 999_999L;
        List<byte[]> templates = List.of(
                codec.encode(new ArrayList<>(List.of(1, 0L, "ping", 1L, new ArrayList<>()))),
                codec.encode(new ArrayList<>(List.of(1, nobody, "set", 1L, new ArrayList<>(List.of("k", "v"))))),
                codec.encode(new ArrayList<>(List.of(2, nobody, "get", 1L, new ArrayList<>(List.of("k"))))),
                codec.encode(new ArrayList<>(List.of(3, nobody, "set", 1L, new ArrayList<>(List.of("k",
                        new BadAttributeValueExpException("gadget")))))));
        while (sent < frames) {
            try (Connection conn = Connection.open(address())) {
                Handshake.connect(conn, KEY, java.util.Arrays.copyOf(Handshake.nonce(), 16), deadline());
                for (int i = 0; i < 5_000 && sent < frames; i++, sent++) {
                    byte[] frame = mutate(templates.get(random.nextInt(templates.size())), random);
                    conn.send(frame);
                    Object reply = codec.decode(conn.receive(MAX_FRAME, 0, deadline(), null));
                    int status = (Integer) ((List<?>) reply).get(0);
                    if (status == 0) {
                        ok++;
                    } else {
                        errors++;
                    }
                }
            }
        }
        // Lying lengths: 1 MiB declared, 100 bytes sent, then silence. What the server holds for them is
        // measured as the heap they free when they go: at most what was declared, never more.
        List<Connection> liars = new ArrayList<>();
        long held;
        paused.set(true);
        try {
            for (int i = 0; i < 20; i++) {
                Connection conn = Connection.open(address());
                Handshake.connect(conn, KEY, java.util.Arrays.copyOf(Handshake.nonce(), 16), deadline());
                rawWrite(conn, ByteBuffer.allocate(104).putInt(0, MAX_FRAME - 1).array());
                liars.add(conn);
            }
            Thread.sleep(300);
            held = usedHeap();
        } finally {
            liars.forEach(Connection::close);
        }
        Thread.sleep(300);
        long freed = held - usedHeap();
        paused.set(false);
        s.put("heapHeldBy20LiarsMB", freed / 1e6);
        // Frames over 64 KiB are read as their bytes come: the 20 liars hold about 1.3 MB, not 20 MiB.
        assertTrue(freed < 20L * 256 * 1024, "20 lying connections held " + freed + " bytes");
        try (Connection conn = Connection.open(address())) {
            Handshake.connect(conn, KEY, java.util.Arrays.copyOf(Handshake.nonce(), 16), deadline());
            rawWrite(conn, ByteBuffer.allocate(4).putInt(0, MAX_FRAME + 1).array());
            Object reply = codec.decode(conn.receive(MAX_FRAME, 0, deadline(), null));
            assertTrue(((List<?>) reply).get(1).toString().contains("limit"), String.valueOf(reply));
            assertTrue(closedByServer(conn));
            closed++;
        }
        long wait = System.nanoTime() + 5_000_000_000L;
        while (server.objectCount() > objectsBefore && System.nanoTime() < wait) {
            Thread.sleep(20);
        }
        assertTrue(server.objectCount() <= objectsBefore, "objects made by mutated frames outlived their sessions");
        s.put("frames", sent).put("errorReplies", errors).put("acceptedAsValid", ok).put("oversizedClosed", closed)
                .put("honestCallsSoFar", honestCalls.get()).print();
    }

    private static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    private static byte[] mutate(byte[] template, Random random) {
        byte[] b = template.clone();
        switch (random.nextInt(5)) {
            case 0 -> { // flip a few bytes
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length)); // truncated value
            case 2 -> { // random bytes
                b = new byte[1 + random.nextInt(200)];
                random.nextBytes(b);
            }
            case 3 -> { // junk appended
                byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + random.nextInt(50));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                b = longer;
            }
            default -> { // a huge count inside the value
                int at = random.nextInt(b.length - 4);
                ByteBuffer.wrap(b).putInt(at, Integer.MAX_VALUE - random.nextInt(100));
            }
        }
        return b;
    }

    @Test
    void slowSendersAndAFloodAreDroppedWhileTheHonestClientGoesOn() throws Exception {
        Scenario s = new Scenario("hostile-slow-and-flood");
        long honestBefore = honestCalls.get();
        List<Connection> slow = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Connection c = Connection.open(address());
            c.receive(512, 0, deadline(), null);
            slow.add(c);
        }
        int dropped = 0;
        long start = System.nanoTime();
        for (Connection c : slow) {
            try (c) {
                try {
                    while (System.nanoTime() - start < 5_000_000_000L) {
                        rawWrite(c, new byte[] {0}); // one byte now and then: never a whole frame
                        Thread.sleep(50);
                    }
                } catch (Exception e) {
                    dropped++; // the server hung up on us
                }
            }
        }
        assertEquals(20, dropped, "slow senders were kept past the handshake timeout");
        List<Connection> flood = new ArrayList<>();
        int floodRefused = 0;
        try {
            for (int i = 0; i < 500 * Scenario.SOAK; i++) {
                try {
                    flood.add(Connection.open(address()));
                } catch (IOException e) {
                    floodRefused++;
                }
            }
            long during = honestCalls.get();
            Thread.sleep(500);
            assertTrue(honestCalls.get() > during, "the honest client stalled during the flood");
        } finally {
            flood.forEach(Connection::close);
        }
        Thread.sleep(1_500); // the handshake timeout frees the slots
        try (Manager late = Manager.connect(server.address(), KEY)) {
            late.namespace().set("after-flood", true);
        }
        s.put("slowSendersDropped", dropped).put("floodConnections", flood.size() + floodRefused)
                .put("honestCallsDuring", honestCalls.get() - honestBefore).put("newClientAfterFlood", "served").print();
    }

    @Test
    void gadgetClassesAndReplaysAreRefused() throws Exception {
        Scenario s = new Scenario("hostile-classes");
        Namespace ns = manager.namespace();
        List<Object> gadgets = List.of(new BadAttributeValueExpException("x"), new URL("http://example.invalid/"),
                new MarshalledObject<>("x"), new java.io.File("/etc/passwd"),
                Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Runnable.class, java.io.Serializable.class},
                        (java.lang.reflect.InvocationHandler & java.io.Serializable) (p, m, a) -> null),
                new java.util.logging.LogRecord(java.util.logging.Level.INFO, "x"));
        int refused = 0;
        for (Object g : gadgets) {
            try {
                ns.set("g", g);
                fail(g.getClass() + " was accepted");
            } catch (ManagerException e) {
                assertTrue(e.getMessage().contains("not on the allow-list") || e.getMessage().contains("allow"),
                        e.getMessage());
                refused++;
            }
        }
        int replays = 0;
        for (int i = 0; i < 50; i++) {
            byte[] recorded;
            try (Connection first = Connection.open(address())) {
                byte[] greeting = first.receive(512, 0, deadline(), null);
                byte[] nonce = java.util.Arrays.copyOfRange(greeting, 4, greeting.length);
                recorded = ByteBuffer.allocate(80).put(Handshake.mac(KEY, "client", nonce)).put(new byte[48]).array();
            }
            try (Connection replay = Connection.open(address())) {
                replay.receive(512, 0, deadline(), null);
                replay.send(recorded);
                byte[] verdict = replay.receive(1 << 16, 0, deadline(), null);
                assertEquals("NO", new String(verdict, 0, 2, StandardCharsets.US_ASCII));
                replays++;
            }
        }
        s.put("gadgetClassesRefused", refused).put("replaysRefused", replays).print();
    }

    @Test
    void corruptedOrTruncatedSegmentFilesFailCleanly(@TempDir Path dir) throws Exception {
        Scenario s = new Scenario("hostile-segment-files");
        Random random = s.random;
        int files = 1_000 * Scenario.SOAK;
        int refused = 0;
        int opened = 0;
        byte[] good;
        try (SharedMemory m = SharedMemory.builder().directory(dir).name("template").size(4096).persistent(true).create()) {
            m.buffer().putLong(0, 42);
            good = Files.readAllBytes(dir.resolve("procshare-template"));
            m.unlink();
        }
        for (int i = 0; i < files; i++) {
            byte[] b = good.clone();
            if (random.nextBoolean()) {
                for (int k = 0, n = 1 + random.nextInt(4); k < n; k++) {
                    b[random.nextInt(128)] ^= (byte) (1 + random.nextInt(255)); // the header
                }
            } else {
                b = java.util.Arrays.copyOf(b, random.nextInt(b.length));
            }
            Path file = dir.resolve("procshare-bad" + i);
            Files.write(file, b);
            try (SharedMemory m = SharedMemory.builder().directory(dir).name("bad" + i).open()) {
                m.buffer().getLong(0); // a byte that changed no checked field: still a usable segment
                opened++;
            } catch (SegmentFormatException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
                refused++;
            } catch (SharedMemoryException e) {
                refused++;
            } finally {
                Files.deleteIfExists(file);
            }
        }
        s.put("files", files).put("refusedWithAClearError", refused).put("openedUnharmed", opened)
                .put("crashes", 0).print();
        assertEquals(files, refused + opened);
        assertTrue(refused > files / 2, String.format(Locale.ROOT, "only %d of %d refused", refused, files));
    }
}
