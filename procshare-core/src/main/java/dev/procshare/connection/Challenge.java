package dev.procshare.connection;

import dev.procshare.process.RandomBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Mutual proof of the auth key on a fresh connection, before anything else is read (Python's
 * {@code deliver_challenge} and {@code answer_challenge}, both ways in three messages). Both sides send a
 * fresh 32-byte nonce and answer the other's with HMAC-SHA256 under the key; answers are compared in
 * constant time. Only short raw frames cross; nothing is deserialized.
 *
 * <pre>
 *   listener → client   "PSC1" listenerNonce[32]
 *   client → listener   HMAC(key, "client" listenerNonce)[32] clientNonce[32]
 *   listener → client   "OK" HMAC(key, "listener" clientNonce listenerNonce)[32]   (or "NO" reason)
 * </pre>
 */
final class Challenge {
    private static final byte[] GREETING = "PSC1".getBytes(StandardCharsets.US_ASCII);
    private static final int NONCE = 32;
    /** No handshake frame is longer; a longer one is refused unread. */
    static final int LIMIT = 512;

    private Challenge() {
    }

    /** The listener's side: throws after telling the client why, if it does not hold the key. */
    static void deliver(SocketFrames frames, byte[] key, long deadline) throws IOException {
        byte[] listenerNonce = RandomBytes.of(NONCE);
        frames.send(concat(GREETING, listenerNonce));
        byte[] answer;
        try {
            answer = frames.receive(LIMIT, deadline);
        } catch (BadFrameException e) {
            throw new AuthenticationFailedException("refused " + frames.peer() + ": " + e.getMessage()
                    + " during the handshake (not a procshare client?)");
        }
        if (answer.length != 2 * NONCE) {
            refuse(frames, "malformed handshake answer (" + answer.length + " bytes; not a procshare client?)");
        }
        if (!Hmac.equal(Hmac.sha256(key, "client", listenerNonce), Arrays.copyOf(answer, NONCE))) {
            refuse(frames, "wrong auth key");
        }
        byte[] clientNonce = Arrays.copyOfRange(answer, NONCE, 2 * NONCE);
        frames.send(concat("OK".getBytes(StandardCharsets.US_ASCII),
                Hmac.sha256(key, "listener", concat(clientNonce, listenerNonce))));
    }

    private static void refuse(SocketFrames frames, String reason) throws AuthenticationFailedException {
        try {
            byte[] no = concat("NO".getBytes(StandardCharsets.US_ASCII), reason.getBytes(StandardCharsets.UTF_8));
            frames.send(no, 0, no.length);
        } catch (IOException ignored) {
            // the client may be gone already; the refusal stands
        }
        throw new AuthenticationFailedException("refused a connection: " + reason);
    }

    /** The client's side: throws if the listener refuses this key or cannot prove it holds it. */
    static void answer(SocketFrames frames, byte[] key, long deadline) throws IOException {
        byte[] greeting;
        try {
            greeting = frames.receive(LIMIT, deadline);
        } catch (BadFrameException e) {
            throw new AuthenticationFailedException(frames.peer() + " is not a procshare Listener: " + e.getMessage());
        }
        if (greeting.length != GREETING.length + NONCE
                || !Arrays.equals(Arrays.copyOf(greeting, GREETING.length), GREETING)) {
            throw new AuthenticationFailedException(frames.peer() + " is not a procshare Listener (unexpected greeting)");
        }
        byte[] listenerNonce = Arrays.copyOfRange(greeting, GREETING.length, greeting.length);
        byte[] clientNonce = RandomBytes.of(NONCE);
        frames.send(concat(Hmac.sha256(key, "client", listenerNonce), clientNonce));
        byte[] reply = frames.receive(LIMIT, deadline);
        String verdict = new String(reply, 0, Math.min(2, reply.length), StandardCharsets.US_ASCII);
        if (verdict.equals("NO")) {
            throw new AuthenticationFailedException(frames.peer() + " refused this connection: "
                    + new String(reply, 2, reply.length - 2, StandardCharsets.UTF_8)
                    + " (the auth key given here differs from the listener's)");
        }
        if (!verdict.equals("OK") || reply.length != 2 + NONCE || !Hmac.equal(
                Hmac.sha256(key, "listener", concat(clientNonce, listenerNonce)), Arrays.copyOfRange(reply, 2, reply.length))) {
            throw new AuthenticationFailedException(frames.peer()
                    + " did not prove it holds the auth key; refusing to talk to it");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }
}
