package dev.procshare.connection;

import dev.procshare.codec.AllowList;
import java.io.IOException;

/**
 * Python's {@code multiprocessing.connection.Client}: connects to a {@link Listener} in another process (or
 * host, over TCP). Both sides prove they hold the auth key before anything else crosses: the listener sends
 * a fresh nonce, the client answers with its HMAC-SHA256 and sends its own nonce, the listener answers that
 * one; a wrong key fails on both sides with {@link AuthenticationFailedException} and nothing is read.
 */
public final class Client {
    private Client() {
    }

    /** Connects to a Unix socket {@code address} with this process family's auth key. */
    public static Connection connect(String address) throws IOException {
        return connect(address, null, AllowList.defaults());
    }

    /** Connects to {@code address} with {@code authKey} (null: the family's key, Unix sockets only). */
    public static Connection connect(String address, byte[] authKey) throws IOException {
        return connect(address, authKey, AllowList.defaults());
    }

    /** As {@link #connect(String, byte[])}; what the connection's {@code recv()} decodes is limited by {@code allowList}. */
    public static Connection connect(String address, byte[] authKey, AllowList allowList) throws IOException {
        Address where = Address.parse(address);
        byte[] key = Listener.keyFor(where, authKey);
        SocketFrames frames;
        try {
            frames = SocketFrames.connect(where);
        } catch (IOException e) {
            throw new IOException("cannot connect to " + where + ": " + e.getMessage(), e);
        }
        try {
            Challenge.answer(frames, key, System.nanoTime() + Listener.HANDSHAKE_NANOS);
            return Connection.over(frames, allowList);
        } catch (IOException | RuntimeException e) {
            frames.close();
            throw e;
        }
    }
}
