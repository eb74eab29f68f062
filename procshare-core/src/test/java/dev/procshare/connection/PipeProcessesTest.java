package dev.procshare.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.codec.ClassNotAllowedException;
import dev.procshare.codec.FastCodec;
import dev.procshare.process.JvmProcess;
import dev.procshare.process.ProcessPool;
import dev.procshare.process.RemoteTaskException;
import dev.procshare.testkit.NoLeaks;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pipe ends that travel to child JVMs and pool workers, and what an end does when its peer goes away. */
@ExtendWith(NoLeaks.class)
class PipeProcessesTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @AfterAll
    static void stopWarmJvms() {
        JvmProcess.keepWarm(0);
    }

    @Test
    void parentSendsToChildOverPipeAndGetsAnswer() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection childEnd = pipe.second();
            try (JvmProcess child = JvmProcess.builder().call(() -> {
                int question = (Integer) childEnd.recv(BOUND);
                childEnd.send(List.of("answer", question * 2, ProcessHandle.current().pid()));
                return question;
            }).start()) {
                childEnd.close(); // Python's idiom: the parent forgets the child's end; the child's stays open
                pipe.first().send(21);
                List<?> reply = (List<?>) pipe.first().recv(BOUND);
                assertEquals("answer", reply.get(0));
                assertEquals(42, reply.get(1));
                assertEquals(child.pid(), ((Long) reply.get(2)).longValue());
                assertEquals(21, (Integer) child.result(BOUND));
            }
        }
    }

    @Test
    void bothEndsPassedToTwoChildrenAreRelayedByTheCreator() throws Exception {
        try (Pipe pipe = Pipe.open(false)) {
            Connection in = pipe.first();
            Connection out = pipe.second();
            try (JvmProcess reader = JvmProcess.builder().call(() -> {
                List<Object> got = new ArrayList<>();
                try {
                    while (true) {
                        got.add(in.recv(BOUND));
                    }
                } catch (PeerClosedException end) {
                    got.add("EOF");
                }
                return got;
            }).start();
                 JvmProcess writer = JvmProcess.builder().target(() -> {
                     try (out) {
                         for (int i = 1; i <= 3; i++) {
                             out.send(i);
                         }
                         out.send(new byte[] {7, 8});
                     } catch (IOException e) {
                         throw new IllegalStateException(e);
                     }
                 }).start()) {
                assertTrue(writer.join(BOUND));
                assertEquals(0, writer.exitCode().getAsInt());
                List<?> got = reader.result(BOUND);
                assertEquals(5, got.size(), got.toString());
                assertEquals(List.of(1, 2, 3), got.subList(0, 3));
                assertInstanceOf(byte[].class, got.get(3));
                assertEquals("EOF", got.get(4));
            }
        }
    }

    @Test
    void poolTaskUsesAPipeEnd() throws Exception {
        try (Pipe pipe = Pipe.open(); ProcessPool pool = ProcessPool.create(1)) {
            Connection workerEnd = pipe.second();
            CompletableFuture<String> task = pool.submit(() -> {
                try (workerEnd) {
                    String word = (String) workerEnd.recv(BOUND);
                    workerEnd.send(word.toUpperCase());
                    return "done in " + JvmProcess.current().name();
                }
            });
            pipe.first().send("hello");
            assertEquals("HELLO", pipe.first().recv(BOUND));
            assertTrue(task.get(BOUND.toSeconds(), TimeUnit.SECONDS).startsWith("done in"));
            assertThrows(PeerClosedException.class, () -> pipe.first().recv(BOUND), "the task closed its end");
        }
    }

    @Test
    void killedPeerGivesPeerClosedException() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection childEnd = pipe.second();
            try (JvmProcess child = JvmProcess.builder().target(() -> {
                try {
                    childEnd.send("ready");
                    Thread.sleep(600_000);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).start()) {
                assertEquals("ready", pipe.first().recv(BOUND));
                child.kill();
                PeerClosedException e = assertThrows(PeerClosedException.class, () -> pipe.first().recv(BOUND));
                assertTrue(e.getMessage().contains("closed the connection"), e.getMessage());
                assertTrue(pipe.first().poll(Duration.ZERO), "poll says ready when the peer is gone, as in Python");
            }
        }
    }

    @Test
    void anEndBelongsToTheProcessItWasSentTo() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            byte[] sent = FastCodec.INSTANCE.encode(pipe.second());
            IllegalStateException here = assertThrows(IllegalStateException.class, () -> pipe.second().send(1));
            assertTrue(here.getMessage().contains("sent to another process"), here.getMessage());
            try (Connection first = (Connection) FastCodec.INSTANCE.decode(sent)) {
                InvalidObjectException twice = assertThrows(InvalidObjectException.class,
                        () -> FastCodec.INSTANCE.decode(sent));
                assertTrue(twice.getMessage().contains("already taken by another process"), twice.getMessage());
                first.send("still fine");
                assertEquals("still fine", pipe.first().recv(BOUND));
            }
        }
    }

    @Test
    void endWhosePeerWasClosedHereReadsEof() throws Exception {
        try (Pipe unused = Pipe.open(); Pipe used = Pipe.open()) {
            unused.second().close();
            assertThrows(PeerClosedException.class, () -> unused.first().recv(BOUND));
            used.second().send("last");
            used.second().close();
            assertEquals("last", used.first().recv(BOUND));
            assertThrows(PeerClosedException.class, () -> used.first().recv(BOUND));
        }
    }

    @Test
    void oneWayPipeRefusesTheWrongDirection() throws Exception {
        try (Pipe pipe = Pipe.open(false)) {
            assertThrows(IllegalStateException.class, () -> pipe.first().send("x"));
            assertThrows(IllegalStateException.class, () -> pipe.second().recv());
            pipe.second().send("x");
            assertEquals("x", pipe.first().recv(BOUND));
        }
    }

    @Test
    void pollWaitsAtMostItsTimeoutAndSeesAChildsMessage() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection childEnd = pipe.second();
            assertFalse(pipe.first().poll(Duration.ofMillis(50)), "nothing sent yet");
            try (JvmProcess child = JvmProcess.builder().call(() -> {
                childEnd.recv(BOUND); // wait for the go
                childEnd.send("late");
                return 0;
            }).start()) {
                assertFalse(pipe.first().poll(Duration.ofMillis(50)));
                assertThrows(java.net.SocketTimeoutException.class, () -> pipe.first().recv(Duration.ofMillis(20)));
                pipe.first().send("go");
                assertTrue(pipe.first().poll(BOUND));
                assertEquals("late", pipe.first().recv(Duration.ZERO));
                assertEquals(0, (Integer) child.result(BOUND));
            }
        }
    }

    @Test
    void classNotAllowedIsRefusedByNameAndClosedEndSaysSo() throws Exception {
        Pipe pipe = Pipe.open();
        Connection childEnd = pipe.second();
        try (JvmProcess child = JvmProcess.builder().call(() -> {
            childEnd.send(new java.io.File("/tmp/gadget")); // Serializable, not on the default allow-list
            childEnd.send("after");
            return childEnd.recv(BOUND);
        }).start()) {
            ClassNotAllowedException e = assertThrows(ClassNotAllowedException.class, () -> pipe.first().recv(BOUND));
            assertEquals("java.io.File", e.className());
            assertEquals("after", pipe.first().recv(BOUND), "the connection goes on after a refused value");
            pipe.first().send("bye");
            assertEquals("bye", child.result(BOUND));
            pipe.close();
            pipe.close(); // idempotent
            assertTrue(pipe.first().isClosed());
            IOException closed = assertThrows(IOException.class, () -> pipe.first().recv());
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        }
    }

    @Test
    void bytesAndValuesKeepTheirFrames() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            pipe.first().sendBytes(new byte[] {1, 2, 3, 4, 5}, 1, 3);
            pipe.first().send(new byte[100]);
            pipe.first().sendBytes("not a value".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(List.of((byte) 2, (byte) 3, (byte) 4), toList(pipe.second().recvBytes()));
            BadFrameException big = assertThrows(BadFrameException.class, () -> pipe.second().recvBytes(10));
            assertTrue(big.getMessage().contains("exceeds the limit of 10 bytes"), big.getMessage());
        }
        try (Pipe pipe = Pipe.open()) {
            pipe.first().sendBytes("not a value".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            pipe.first().send("ok");
            BadFrameException garbage = assertThrows(BadFrameException.class, () -> pipe.second().recv(BOUND));
            assertTrue(garbage.getMessage().contains("not a value written by send()"), garbage.getMessage());
            assertEquals("ok", pipe.second().recv(BOUND));
        }
    }

    private static List<Byte> toList(byte[] bytes) {
        List<Byte> out = new ArrayList<>();
        for (byte b : bytes) {
            out.add(b);
        }
        return out;
    }
}
