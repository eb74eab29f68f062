package dev.procshare.manager;

import dev.procshare.connection.Hmac;
import dev.procshare.process.RandomBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Mutual proof of the auth key, before either side reads anything else: both send a fresh 32-byte nonce,
 * both answer the other's with HMAC-SHA256 under the key, and both compare in constant time. A recorded
 * answer is useless later because the nonce it answered is never asked again. Only fixed-size raw bytes
 * cross in this phase; nothing is deserialized.
 *
 * <pre>
 *   server → client   "PSM1" serverNonce[32]
 *   client → server   HMAC(key, "client" serverNonce)[32] clientNonce[32] sessionId[16]
 *   server → client   "OK" HMAC(key, "server" clientNonce serverNonce)[32] connectionId[8] settings
 *                     (or "NO" reason)
 * </pre>
 * The settings (allow-list, frame limit, codec) are read by the client only once the server has proved itself.
 */
final class Handshake {
    static final int NONCE = 32;
    static final int SESSION_ID = 16;
    private static final byte[] GREETING = "PSM1".getBytes(StandardCharsets.US_ASCII);
    private static final int LIMIT = 512;
    private static final int SETTINGS_LIMIT = 64 * 1024;

    private Handshake() {
    }

    /** What the server learns about an authenticated client. */
    record Client(byte[] sessionId, long connectionId) {
    }

    /**
     * The server's side. Returns the client's session, or throws {@link AuthenticationException} after telling
     * the client why (a wrong key, a garbled answer).
     */
    static Client serve(Connection conn, byte[] key, long connectionId, byte[] settings, long deadline)
            throws IOException {
        byte[] serverNonce = nonce();
        conn.send(concat(GREETING, serverNonce));
        byte[] answer = conn.receive(LIMIT, 0, deadline, null);
        if (answer.length != NONCE + NONCE + SESSION_ID) {
            refuse(conn, "malformed handshake (" + answer.length + " bytes)");
        }
        byte[] expected = mac(key, "client", serverNonce);
        if (!Hmac.equal(expected, Arrays.copyOfRange(answer, 0, NONCE))) {
            refuse(conn, "wrong auth key");
        }
        byte[] clientNonce = Arrays.copyOfRange(answer, NONCE, 2 * NONCE);
        byte[] session = Arrays.copyOfRange(answer, 2 * NONCE, answer.length);
        byte[] proof = mac(key, "server", concat(clientNonce, serverNonce));
        conn.send(concat("OK".getBytes(StandardCharsets.US_ASCII), proof,
                ByteBuffer.allocate(8).putLong(connectionId).array(), settings));
        return new Client(session, connectionId);
    }

    private static void refuse(Connection conn, String reason) throws IOException {
        try {
            conn.send(concat("NO".getBytes(StandardCharsets.US_ASCII), reason.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException ignored) {
            // the client may already be gone; the refusal stands either way
        }
        throw new AuthenticationException("client refused: " + reason);
    }

    /** What the client learns from an authenticated server. */
    record Server(long connectionId, byte[] settings) {
    }

    /** The client's side; returns the connection id the server gave and its settings. */
    static Server connect(Connection conn, byte[] key, byte[] sessionId, long deadline) throws IOException {
        byte[] greeting = conn.receive(LIMIT, Connection.SPIN_NANOS, deadline, null);
        if (greeting.length != GREETING.length + NONCE
                || !Arrays.equals(Arrays.copyOf(greeting, GREETING.length), GREETING)) {
            throw new AuthenticationException(conn.peer() + " is not a procshare manager (unexpected greeting)");
        }
        byte[] serverNonce = Arrays.copyOfRange(greeting, GREETING.length, greeting.length);
        byte[] clientNonce = nonce();
        conn.send(concat(mac(key, "client", serverNonce), clientNonce, sessionId));
        byte[] reply = conn.receive(SETTINGS_LIMIT, Connection.SPIN_NANOS, deadline, null);
        String verdict = new String(reply, 0, Math.min(2, reply.length), StandardCharsets.US_ASCII);
        if (verdict.equals("NO")) {
            String reason = new String(reply, 2, reply.length - 2, StandardCharsets.UTF_8);
            throw new AuthenticationException("manager at " + conn.peer() + " refused this client: " + reason
                    + (reason.contains("key") ? " (the auth key given here differs from the server's)" : ""));
        }
        if (!verdict.equals("OK") || reply.length < 2 + NONCE + 8) {
            throw new AuthenticationException(conn.peer() + " sent a malformed handshake reply");
        }
        byte[] expected = mac(key, "server", concat(clientNonce, serverNonce));
        if (!Hmac.equal(expected, Arrays.copyOfRange(reply, 2, 2 + NONCE))) {
            throw new AuthenticationException("manager at " + conn.peer()
                    + " did not prove it holds the auth key; refusing to talk to it");
        }
        return new Server(ByteBuffer.wrap(reply, 2 + NONCE, 8).getLong(),
                Arrays.copyOfRange(reply, 2 + NONCE + 8, reply.length));
    }

    /** A fresh challenge (see {@link RandomBytes} for why not a {@code SecureRandom} here). */
    static byte[] nonce() {
        return RandomBytes.of(NONCE);
    }

    /** HMAC-SHA256 of {@code role || data} under {@code key} ({@link Hmac#sha256}). */
    static byte[] mac(byte[] key, String role, byte[] data) {
        return Hmac.sha256(key, role, data);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer all = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            all.put(p);
        }
        return all.array();
    }
}
